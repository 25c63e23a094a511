import type { Logger } from '../client/log-line.ts';
import { InvokeJobs } from './invoke-jobs.ts';

/** Why an invoke's hold ended. */
export type ReleaseReason = 'settled' | 'deadline';

export interface InvokeStateOptions {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly concurrency: number;
  readonly marginMs: number;
  readonly logger: Logger;
  readonly now: () => number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Asked whenever jobs settle, so the owner can decide whether to release. */
  readonly onChange: (state: InvokeState) => void;
  /** Called once, when the invoke is finalized (the owner forgets it). */
  readonly onFinalized: (state: InvokeState) => void;
}

/**
 * One invoke as the extension sees it: when its response went out, when the runtime was
 * done with it, its jobs, and its deadline timer. Finalizing logs the summary exactly once.
 */
export class InvokeState {
  handlerDone = false;
  responseAt: number | undefined;
  finalized: ReleaseReason | undefined;
  /** True while the extension loop holds this invoke. */
  holding = false;
  /** Set while the extension loop holds this invoke: wakes it when the invoke is finalized. */
  release: ((reason: ReleaseReason) => void) | undefined;
  readonly #options: InvokeStateOptions;
  #jobs: InvokeJobs | undefined;
  #cancelTimer: (() => void) | undefined;

  constructor(options: InvokeStateOptions) {
    this.#options = options;
  }

  get requestId(): string {
    return this.#options.requestId;
  }

  get deadlineMs(): number {
    return this.#options.deadlineMs;
  }

  /**
   * The job set and the deadline timer, made on first use: most invokes have no jobs, and
   * this code runs in every invoke (allocation there grows V8's young generation and RSS).
   */
  get jobs(): InvokeJobs {
    if (this.#jobs) return this.#jobs;
    const options = this.#options;
    this.#jobs = new InvokeJobs({ ...options, onChange: () => options.onChange(this) });
    if (this.responseAt !== undefined) this.#jobs.start();
    const delay = options.deadlineMs - options.marginMs - options.now();
    if (!this.finalized) this.#cancelTimer = options.setTimer(() => this.finalize('deadline'), Math.max(0, delay));
    return this.#jobs;
  }

  /** True when no job is queued, running or tracked. */
  get idle(): boolean {
    return this.#jobs?.idle ?? true;
  }

  /** The response is posted (or, for streaming, the handler finished): queued functions start. */
  markResponse(): void {
    this.responseAt ??= this.#options.now();
    this.#jobs?.start();
  }

  /** Ends the invoke's hold once: on deadline, aborts and reports unfinished jobs by name. */
  finalize(reason: ReleaseReason): void {
    if (this.finalized) return;
    this.finalized = reason;
    this.#cancelTimer?.();
    const { logger } = this.#options;
    if (reason === 'deadline' && this.#jobs) {
      const names = this.#jobs.abandon();
      if (names.length > 0) {
        logger.log('WARN', 'deadline near: abandoning unfinished jobs; they freeze with the environment and may resume on a later invoke', {
          requestId: this.requestId, jobs: names, marginMs: this.#options.marginMs,
        });
      }
    }
    const stats = this.#jobs?.stats;
    if (stats && stats.enqueued > 0) {
      const holdMs = this.responseAt === undefined ? undefined : round(this.#options.now() - this.responseAt);
      logger.log('INFO', 'after-response summary', { requestId: this.requestId, outcome: reason, ...stats, responseToReleaseMs: holdMs });
    }
    this.#options.onFinalized(this);
    this.release?.(reason);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
