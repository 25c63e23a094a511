import type { JobContext } from '../../shared/host-protocol.ts';
import { describeError } from '../../shared/log-line.ts';
import { envelopeBody } from './envelope.ts';
import type { HandOffReason, TaskContext, TaskDefinition, TaskRuntime } from './types.ts';

/** Longest delivery delay SQS accepts (`DelaySeconds`). */
export const MAX_DELAY_SECONDS = 900;

export interface TaskRunOptions {
  readonly definition: TaskDefinition;
  readonly runtime: TaskRuntime;
  readonly taskId: string;
  readonly payload: unknown;
  readonly payloadJson: string;
  /** The attempt this run is (1 when first enqueued). */
  readonly attempt: number;
  /** True when the host calls `handOff`; else the run sends itself when its signal aborts. */
  readonly hostHandsOff: boolean;
  /** The enqueuing invoke's request id, when the host knows it (else the job's, once it starts). */
  readonly requestId: string | undefined;
}

/**
 * Where one enqueued task stands. `queued` → `running` → `settled`; `copied` once a copy is in
 * the queue (written ahead, handed off, or sent after a failure): from then on nothing else sends.
 */
type Stage = 'queued' | 'running' | 'settled';

/**
 * One enqueued task: the job function the host runs, and the hand-off the host calls when the
 * task cannot finish here. Private state, changed by {@link TaskRun.job} and {@link TaskRun.handOff} only.
 */
export class TaskRun {
  readonly #o: TaskRunOptions;
  #stage: Stage = 'queued';
  /** A copy is in the queue (or being sent): no further send. */
  #copy: Promise<void> | undefined;
  /** Named in every log line of this task. */
  #requestId: string | undefined;

  constructor(options: TaskRunOptions) {
    this.#o = options;
    this.#requestId = options.requestId;
  }

  /** The job function: write-ahead first if asked, then the task; a failure is sent on, then rethrown (the host logs it); a run interrupted by the deadline is sent on and resolves. */
  readonly job = async (context: JobContext): Promise<void> => {
    this.#stage = 'running';
    this.#requestId ??= context.requestId;
    const { definition, runtime, payload, taskId, attempt } = this.#o;
    runtime.sender?.warm();
    if (definition.durability === 'write-ahead') await this.#writeAhead(context.deadlineMs);
    if (!this.#o.hostHandsOff) context.signal.addEventListener('abort', () => void this.handOff('abandoned').catch(() => undefined), { once: true });
    const taskContext: TaskContext = { signal: context.signal, requestId: context.requestId, deadlineMs: context.deadlineMs, taskId, attempt };
    try {
      await definition.run(payload, taskContext);
    } catch (error) {
      this.#stage = 'settled';
      // Rejected after the deadline's abort (e.g. with the signal's reason, as a task need not catch
      // it): interrupted and handed on, not a failure of this job; anything else fails and is rethrown.
      if (context.signal.aborted) return this.#interrupted();
      await this.#failed(error);
      throw error;
    }
    this.#stage = 'settled';
    // Settled after the deadline's abort (caught it and resolved, as a plain job may): its work is
    // not known to be done, so it is handed on, never recorded as completed (at least once).
    await (context.signal.aborted ? this.#interrupted() : this.#completed());
  };

  /**
   * Sends the task on because it cannot finish here. Resolves once it is in the queue, or at once
   * when nothing is needed (settled, or a copy is already there); rejects when it is lost.
   */
  readonly handOff = (reason: HandOffReason): Promise<void> => {
    if (this.#stage === 'settled' || this.#copy) return this.#copy?.catch(() => undefined) ?? Promise.resolve();
    // A task that never ran keeps its attempt number: `attempt` counts runs.
    const next = this.#stage === 'queued' ? this.#o.attempt : this.#o.attempt + 1;
    const why = reason === 'never-started' ? 'it never started before the deadline' : reason === 'abandoned' ? 'it was still running when the deadline came' : 'the runtime is shutting down';
    return this.#send(next, 0, why);
  };

  async #writeAhead(deadlineMs: number): Promise<void> {
    if (!this.#o.runtime.sender) {
      this.#log('ERROR', 'task LOST if this run does not finish: write-ahead needs a queue and none is configured (AFTER_RESPONSE_TASK_QUEUE_URL); it runs here without a copy', { attempt: this.#o.attempt });
      return;
    }
    const left = (deadlineMs - this.#o.runtime.now()) / 1000;
    const delay = Number.isFinite(left) ? Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(left))) : MAX_DELAY_SECONDS;
    const body = envelopeBody({ task: this.#o.definition.name, taskId: this.#o.taskId, attempt: this.#o.attempt + 1, payloadJson: this.#o.payloadJson });
    const sent = this.#o.runtime.sender.send({ body, task: this.#o.definition.name, delaySeconds: delay });
    this.#copy = sent;
    try {
      await sent;
      this.#log('INFO', `task sent to the queue: write-ahead copy, delivered in ${delay} s (SQS cannot take it back): if this run completes, the copy is reported done without running where the completion is known (this environment, or the completion store), else it runs the task again`, { attempt: this.#o.attempt, nextAttempt: this.#o.attempt + 1, delaySeconds: delay });
    } catch (error) {
      this.#copy = undefined;
      this.#log('ERROR', 'task write-ahead failed: it runs here without a copy in the queue (a crash now loses it)', { attempt: this.#o.attempt, ...describeError(error) });
    }
  }

  async #completed(): Promise<void> {
    const { runtime, taskId } = this.#o;
    runtime.completed.add(taskId);
    if (!this.#copy || !runtime.store) return;
    try {
      await runtime.store.put(taskId);
    } catch (error) {
      this.#log('WARN', 'task completed, but the completion store refused it: its copy in the queue will run it again', { attempt: this.#o.attempt, ...describeError(error) });
    }
  }

  async #failed(error: unknown): Promise<void> {
    if (this.#copy) {
      this.#log('ERROR', 'task failed: its copy in the queue runs it again', { attempt: this.#o.attempt, ...describeError(error) });
      return;
    }
    await this.#send(this.#o.attempt + 1, 0, `it failed on attempt ${this.#o.attempt}`).catch(() => undefined);
  }

  /** The run settled after its signal aborted: handed on as `attempt + 1`, unless a copy is already in the queue. */
  async #interrupted(): Promise<void> {
    if (this.#copy) {
      this.#log('WARN', 'task interrupted by the deadline: its copy in the queue runs it again', { attempt: this.#o.attempt });
      return;
    }
    await this.#send(this.#o.attempt + 1, 0, 'it was interrupted by the deadline (it settled after its signal aborted)').catch(() => undefined);
  }

  /** `nextAttempt`: the attempt the message carries (the one its receiver runs); logged as such, next to the run's `attempt`. */
  #send(nextAttempt: number, delaySeconds: number, why: string): Promise<void> {
    const { runtime, definition, taskId, payloadJson, attempt } = this.#o;
    if (!runtime.sender) {
      this.#log('ERROR', `task LOST: ${why} and no queue is configured (AFTER_RESPONSE_TASK_QUEUE_URL)`, { attempt, nextAttempt });
      return Promise.reject(new Error('no queue configured'));
    }
    const body = envelopeBody({ task: definition.name, taskId, attempt: nextAttempt, payloadJson });
    const sending = runtime.sender.send({ body, task: definition.name, delaySeconds }).then(
      () => this.#log('WARN', `task sent to the queue: ${why}`, { attempt, nextAttempt }),
      (error: unknown) => {
        this.#log('ERROR', `task LOST: ${why}, and sending it to the queue failed`, { attempt, nextAttempt, ...describeError(error) });
        throw error;
      },
    );
    this.#copy = sending;
    return sending;
  }

  #log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Readonly<Record<string, unknown>>): void {
    const requestId = this.#requestId === undefined ? {} : { requestId: this.#requestId };
    this.#o.runtime.logger.log(level, message, { ...requestId, task: this.#o.definition.name, taskId: this.#o.taskId, ...fields });
  }
}
