import type { HandOffReason, Job, JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { CompletedSet, CompletionStore } from './completion.ts';
import type { TaskSender } from './sender.ts';

/**
 * What a task function receives: a job's context plus the task's identity.
 * `attempt` is 1 on the first run and counts every run, in this invoke and each SQS delivery.
 */
export interface TaskContext extends JobContext {
  /** Stable across attempts: key idempotency on it (Powertools Idempotency, a conditional write). */
  readonly taskId: string;
  readonly attempt: number;
}

/** A task's work: gets the payload (as JSON gave it back) and the {@link TaskContext}. */
export type TaskFunction<P> = (payload: P, context: TaskContext) => unknown;

/**
 * `in-invoke` (the default): runs here after the response; sent to the queue only when it fails,
 * cannot start or finish before the deadline, or the runtime is shut down — a crash or `SIGKILL`
 * while it runs loses it. `write-ahead`: sent (delayed past this invoke) before it starts, so a
 * crash loses nothing; costs one message and one extra delivery per task.
 */
export type Durability = 'in-invoke' | 'write-ahead';

export type { HandOffReason };

/** The part of the client's host tasks use. */
export interface TaskHost {
  enqueue(job: Job, options: { readonly name: string; readonly handOff?: (reason: HandOffReason) => Promise<void>; readonly task?: { readonly taskId: string; readonly attempt: number } }): void;
  /** True when the host calls `handOff` (layer with hand-off support); else the client sends at the abort itself. */
  readonly handsOff: boolean;
  /** The deadline of the invoke the caller runs in, epoch ms, if the host knows it. */
  currentDeadlineMs(): number | undefined;
  /** The request id of the invoke the caller runs in, if the host knows it (named in the task's log lines). */
  currentRequestId(): string | undefined;
}

/** Everything a task run shares: injected so tests use fakes. */
export interface TaskRuntime {
  readonly logger: Logger;
  /** `undefined`: no queue configured (`AFTER_RESPONSE_TASK_QUEUE_URL` unset). */
  readonly sender: TaskSender | undefined;
  readonly completed: CompletedSet;
  readonly store: CompletionStore | undefined;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** A defined task, as the registry keeps it. */
export interface TaskDefinition {
  readonly name: string;
  readonly run: TaskFunction<unknown>;
  readonly durability: Durability;
}
