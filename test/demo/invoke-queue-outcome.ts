// `npm run invoke -- … --sqs`: what became of the tasks in the queue once the SQS event source was
// played — which completed (on which attempt), which ended in the DLQ, which records the function
// could not run — so the verdict can say "recovered on attempt N" or "ended in the DLQ".
import { decodeEnvelope } from '../../client/tasks/envelope.ts';
import { layerRecord } from './invoke-jobs-seen.ts';

/** One delivered record, as far as read here. */
export interface DeliveredRecord {
  readonly messageId: string;
  readonly body: string;
  /** This delivery's `ApproximateReceiveCount` (1 on the first). */
  readonly receiveCount: number;
  /** Whether the event source deleted it after the invoke (the function reported it done). */
  readonly deleted: boolean;
}

export interface QueueOutcome {
  /** Tasks whose message the function reported done, by `taskId`: the attempt that ran. */
  readonly completed: ReadonlyMap<string, number>;
  /** Tasks whose message is in the DLQ, by `taskId`. */
  readonly dead: ReadonlySet<string>;
  /** Records the function could not run (not a task, an unknown task, …): its ERROR's message. */
  readonly rejected: readonly string[];
  /** Messages still in the queue when the drain stopped waiting. */
  readonly left: number;
}

/** The outcome from the delivered records, the DLQ's message bodies and the function's log lines while draining. Never throws. */
export function queueOutcome(records: readonly DeliveredRecord[], deadBodies: readonly string[], logLines: readonly string[], left: number): QueueOutcome {
  const completed = new Map<string, number>();
  for (const record of records) {
    const decoded = decodeEnvelope(record.body);
    if (record.deleted && decoded.ok) completed.set(decoded.envelope.taskId, decoded.envelope.attempt + Math.max(1, record.receiveCount) - 1);
  }
  const dead = new Set<string>();
  for (const body of deadBodies) {
    const decoded = decodeEnvelope(body);
    if (decoded.ok) dead.add(decoded.envelope.taskId);
  }
  const rejected = logLines.flatMap((line) => {
    const message = layerRecord(line)?.message;
    return typeof message === 'string' && REJECTED.some((start) => message.startsWith(start)) ? [message] : [];
  });
  return { completed, dead, rejected, left };
}

/** handleTaskBatch's ERRORs for a record it could not run (client/tasks/task-batch.ts). */
const REJECTED = ['SQS message is not a task', 'SQS message names an unknown task', 'SQS message names two tasks', 'handleTaskBatch got an event that is not an SQS batch'];
