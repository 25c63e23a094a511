/**
 * The message a task travels in: a versioned JSON envelope as the SQS message body, plus one
 * message attribute naming the task, so `isTaskBatch` can tell a task batch without parsing bodies.
 */

/** The envelope version this client writes and reads. */
export const ENVELOPE_VERSION = 1;

/**
 * The SQS message attribute (String) naming the task. SQS allows letters, digits, `-`, `_` and
 * `.` in attribute names; Lambda's SQS event carries it as `messageAttributes[name].stringValue`.
 */
export const TASK_ATTRIBUTE = 'AfterResponseTask';

/** What a message body holds: `{ v, task, taskId, attempt, payload }`. */
export interface TaskEnvelope {
  readonly v: typeof ENVELOPE_VERSION;
  /** The task's name, as given to `defineTask`. */
  readonly task: string;
  /** Stable across attempts (the idempotency key). */
  readonly taskId: string;
  /** The attempt the receiver runs: 1 for the first run in the invoke that enqueued it. */
  readonly attempt: number;
  readonly payload: unknown;
}

/** The body for an envelope whose payload is already serialised (payload.ts checked it). */
export function envelopeBody(fields: { readonly task: string; readonly taskId: string; readonly attempt: number; readonly payloadJson: string }): string {
  return `{"v":${ENVELOPE_VERSION},"task":${JSON.stringify(fields.task)},"taskId":${JSON.stringify(fields.taskId)},"attempt":${fields.attempt},"payload":${fields.payloadJson}}`;
}

/** Bytes SQS counts for the task attribute (name, data type, value) on top of the body. */
export function attributeBytes(task: string): number {
  return Buffer.byteLength(TASK_ATTRIBUTE) + Buffer.byteLength('String') + Buffer.byteLength(task);
}

export type Decoded = { readonly ok: true; readonly envelope: TaskEnvelope } | { readonly ok: false; readonly problem: string };

/** Reads a message body; never throws, names what is wrong with a foreign or malformed one. */
export function decodeEnvelope(body: unknown): Decoded {
  if (typeof body !== 'string') return { ok: false, problem: `the body is not a string (${typeof body})` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'the body is not a JSON object' };
  const v: unknown = Reflect.get(value, 'v');
  const task: unknown = Reflect.get(value, 'task');
  const taskId: unknown = Reflect.get(value, 'taskId');
  const attempt: unknown = Reflect.get(value, 'attempt');
  if (v !== ENVELOPE_VERSION) return { ok: false, problem: `the envelope version is ${JSON.stringify(v) ?? 'missing'}, this client reads ${ENVELOPE_VERSION}` };
  if (typeof task !== 'string' || task.length === 0) return { ok: false, problem: 'the envelope has no task name' };
  if (typeof taskId !== 'string' || taskId.length === 0) return { ok: false, problem: 'the envelope has no taskId' };
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1) return { ok: false, problem: `the envelope's attempt is not a positive integer (${JSON.stringify(attempt) ?? 'missing'})` };
  if (!Object.hasOwn(value, 'payload')) return { ok: false, problem: 'the envelope has no payload' };
  return { ok: true, envelope: { v, task, taskId, attempt, payload: Reflect.get(value, 'payload') } };
}
