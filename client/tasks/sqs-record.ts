// Reading Lambda's SQS records (handleTaskBatch, isTaskBatch). Every read is guarded: an event can
// hold anything, and a throwing getter or a Proxy reads as `undefined`.
import { TASK_ATTRIBUTE } from './envelope.ts';

/** The record's `ApproximateReceiveCount` (1 on the first receive), or `undefined` when absent or odd. */
export function receiveCountOf(record: unknown): number | undefined {
  const count = Number(readField(readField(record, 'attributes'), 'ApproximateReceiveCount'));
  return Number.isSafeInteger(count) && count >= 1 ? count : undefined;
}

/** The event's `Records` array, or `undefined` when it has none. */
export function readRecords(event: unknown): readonly unknown[] | undefined {
  const records = readField(event, 'Records');
  return Array.isArray(records) ? records : undefined;
}

/** The record's `messageId`; `''` when it has none (a batch failure naming `''` fails the whole batch). */
export function messageIdOf(record: unknown): string {
  const id = readField(record, 'messageId');
  return typeof id === 'string' ? id : '';
}

/** The record's `AfterResponseTask` message attribute (the task's name), if any. */
export function taskAttribute(record: unknown): string | undefined {
  const value = readField(readField(readField(record, 'messageAttributes'), TASK_ATTRIBUTE), 'stringValue');
  return typeof value === 'string' ? value : undefined;
}

/** `{ task }` from the attribute, for a log line; `{}` without one. */
export function taskFields(record: unknown): Readonly<Record<string, unknown>> {
  const task = taskAttribute(record);
  return task === undefined ? {} : { task };
}

/** Reads a property of anything; a throwing getter or Proxy reads as `undefined`. */
export function readField(value: unknown, key: string): unknown {
  try {
    return (typeof value === 'object' || typeof value === 'function') && value !== null ? Reflect.get(value, key) : undefined;
  } catch {
    return undefined;
  }
}
