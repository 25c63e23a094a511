import type { Job } from '../client/host-interface.ts';
import type { Logger } from '../client/log-line.ts';
import { createExternalJob, type ExternalJob } from './external-job.ts';
import { IdleDetector } from './idle-detector.ts';
import { OrphanJobs } from './orphan-jobs.ts';
import { InvokeState, type ReleaseReason } from './invoke-state.ts';
import type { ResponseHow } from './runtime-observer.ts';

export interface TrackerOptions {
  readonly concurrency: number;
  readonly marginMs: number;
  readonly fallbackIdleMs: number;
  readonly logger: Logger;
  /** Epoch milliseconds, sub-millisecond precision. */
  readonly now: () => number;
  /** Schedules an unref'd timer and returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Runs `run` after the current turn (after queued microtasks). @default setImmediate */
  readonly defer?: (run: () => void) => void;
  /** Managed Instances: the request id of the invoke whose async context calls, if known. */
  readonly contextRequestId?: () => string | undefined;
}

/** An INVOKE event as the extension loop received it. */
export interface InvokeEvent {
  readonly requestId: string;
  readonly deadlineMs: number;
}

/**
 * Maps the runtime's progress and the extension's INVOKE events onto per-invoke job sets,
 * and tells the loop when an invoke may be released: the runtime is done with it and every
 * job has settled, or its deadline is near.
 */
export class InvokeTracker {
  /** True once the runtime's `next`/`done`/`error` are observed (see runtime-observer.ts). */
  observed = false;
  /**
   * True while a registered extension loop holds invokes. False in Managed Instances mode and
   * after registration failed or the loop stopped: invokes are then done once jobs settle.
   */
  held = false;
  readonly #states = new Map<string, InvokeState>();
  readonly #orphans = new OrphanJobs();
  readonly #options: TrackerOptions;
  #current: InvokeState | undefined;
  #warnedUnobserved = false;
  readonly #idle: IdleDetector;
  #drainWaiters: Array<() => void> = [];

  constructor(options: TrackerOptions) {
    this.#options = options;
    this.#idle = new IdleDetector({ idleMs: options.fallbackIdleMs, setTimer: options.setTimer, onIdle: (state) => this.#check(state) });
  }

  /** The runtime received an invoke (its `next` resolved): jobs from now on belong to it. */
  invokeStarted(requestId: string, deadlineMs: number): void {
    const state = this.#stateFor(requestId, deadlineMs);
    this.#current = state;
    this.#orphans.adoptInto(state);
  }

  /**
   * The runtime posted an invoke's response or error. A `returned` one means the handler has
   * returned (or called back): once what it queued for this turn has run, the invoke is done,
   * and the release need not wait for the runtime's own `next` (a streamed one must: the
   * handler may keep running after its stream ended).
   */
  responsePosted(requestId: string, how: ResponseHow = 'streamed'): void {
    const state = this.#states.get(requestId);
    if (!state) return;
    state.markResponse();
    this.#check(state); // unheld (Managed Instances): an invoke without jobs is done now
    if (how !== 'returned' || this.#options.contextRequestId) return;
    (this.#options.defer ?? setImmediate)(() => {
      if (state.handlerDone) return;
      state.handlerDone = true;
      this.#check(state);
    });
  }

  /** The runtime asked for its next invoke: it is done with the current one. */
  runtimeNext(): void {
    const state = this.#current;
    if (!state || state.handlerDone || this.#options.contextRequestId) return;
    state.handlerDone = true;
    state.markResponse();
    this.#check(state);
  }

  enqueue(job: Job, name: string): void {
    const target = this.#target() ?? this.#detached();
    if (target) target.jobs.add(job, name);
    else this.#orphans.keep({ job, name });
    this.#touchIdle();
  }

  /** Opens a job finished by someone else (socket peers); held like a promise job. */
  openExternal(name: string, options: { readonly internal?: boolean } = {}): ExternalJob {
    return createExternalJob((done, bind) => {
      const target = this.#target() ?? this.#detached();
      if (!target) return this.#orphans.keep({ job: done, name, bind, internal: options.internal });
      target.jobs.add(done, name, options);
      bind(target);
    });
  }

  /** Resolves when every job of every known invoke has settled (tests, local runs). */
  drain(): Promise<void> {
    if (this.#allIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Stops holding (the loop ended): releases whatever waits, and finishes invokes unheld. */
  stopHolding(): void {
    this.held = false;
    for (const state of this.#states.values()) {
      if (state.holding) state.finalize('settled');
      else this.#check(state);
    }
  }

  /** The extension loop holds an invoke: resolves when it may call `next` again. */
  hold(event: InvokeEvent): Promise<ReleaseReason> {
    const state = this.#stateFor(event.requestId, event.deadlineMs);
    if (!this.observed) this.#holdBestEffort(state);
    if (state.finalized) return Promise.resolve(state.finalized);
    return new Promise((resolve) => {
      state.holding = true;
      state.release = resolve;
      this.#check(state);
    });
  }

  #target(): InvokeState | undefined {
    const id = this.#options.contextRequestId?.();
    const state = id === undefined ? this.#current : this.#states.get(id);
    return state && !state.finalized ? state : undefined;
  }

  /**
   * Managed Instances only: nothing is frozen there, so a job whose invoke has already finished
   * runs at once, on its own (a day's deadline), instead of waiting for some later invoke.
   */
  #detached(): InvokeState | undefined {
    const id = this.held ? undefined : this.#options.contextRequestId?.();
    if (id === undefined) return undefined;
    const state = this.#stateFor(id, this.#options.now() + 86_400_000);
    state.markResponse();
    return state;
  }

  #stateFor(requestId: string, deadlineMs: number): InvokeState {
    let state = this.#states.get(requestId);
    if (!state) {
      const { concurrency, marginMs, logger, now, setTimer } = this.#options;
      state = new InvokeState({
        requestId, deadlineMs, concurrency, marginMs, logger, now, setTimer,
        onChange: (s) => this.#changed(s), onFinalized: (s) => this.#states.delete(s.requestId),
      });
      this.#states.set(requestId, state);
    }
    return state;
  }

  #changed(state: InvokeState): void {
    this.#touchIdle();
    this.#check(state);
    if (this.#drainWaiters.length > 0 && this.#allIdle()) for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #allIdle(): boolean {
    for (const state of this.#states.values()) if (!state.idle) return false;
    return true;
  }

  /** Held: done when the runtime is done and jobs settled. Unheld: when the response is out and jobs settled. */
  #check(state: InvokeState): void {
    if (state.finalized || !state.idle) return;
    const done = this.held ? state.holding && state.handlerDone : state.responseAt !== undefined;
    if (done) state.finalize('settled');
  }

  /** The runtime's progress cannot be seen: start jobs at once and call the handler done when idle. */
  #holdBestEffort(state: InvokeState): void {
    if (!this.#warnedUnobserved) {
      this.#warnedUnobserved = true;
      this.#options.logger.log('WARN', "the runtime's progress was never observed (its rapid-client.node was not loaded through process.dlopen, e.g. AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true): best-effort mode, jobs start when enqueued and the handler counts as done after AFTER_RESPONSE_FALLBACK_IDLE_MS without new jobs", { requestId: state.requestId });
    }
    this.#current = state;
    this.#orphans.adoptInto(state);
    state.markResponse();
    this.#touchIdle();
  }

  #touchIdle(): void {
    if (!this.observed && this.#current) this.#idle.touch(this.#current);
  }
}

