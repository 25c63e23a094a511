// Shared by the task scenarios under the rig: the fixture's run records (tasks.mjs appends one
// line per run to /tmp/task-runs.jsonl), the task log lines, polling, and the event source.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ElasticMq, SqsQueue } from '../rig/elasticmq.ts';
import { SqsEventSource } from '../rig/sqs-event-source.ts';
import type { Sandbox } from '../rig/types.ts';
import { extensionLogs } from './product-helpers.ts';

export const unique = (name: string): string => `${name}-${randomBytes(4).toString('hex')}`;

export interface Run { task: string; key: string; taskId: string; attempt: number; phase: 'start' | 'done'; pid: number; threadId: number; requestId: string }

/** The runs of the tasks whose payload had `key`, in the order they were written. */
export function runs(box: Sandbox, key: string): Run[] {
  const path = `${box.tmpDir}/task-runs.jsonl`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Run).filter((r) => r.key === key);
}

/** The task's log lines (the client's and the extension's) that `match`. */
export function taskLogs(box: Sandbox, match: (line: Record<string, unknown>) => boolean): Array<Record<string, unknown>> {
  return extensionLogs(box.logs()).filter(match);
}

export async function waitFor(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs Lambda's SQS event source (ReportBatchItemFailures) over `queue` into `box` until `until` settles. */
export async function drained<T>(mq: ElasticMq, queue: SqsQueue, box: Sandbox, until: (source: SqsEventSource) => Promise<T>): Promise<T> {
  const source = SqsEventSource.start({ client: mq.client, queue, target: box, functionResponseTypes: ['ReportBatchItemFailures'] });
  try {
    return await until(source);
  } finally {
    await source.stop();
  }
}
