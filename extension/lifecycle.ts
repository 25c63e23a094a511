import type { Flusher, Job } from '../client/host-interface.ts';
import { DetachedJobs } from './detached-jobs.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FlusherRegistry } from './flusher-registry.ts';
import { createExternalJob, type ExternalJob, type JobOwner } from './external-job.ts';
import { IdleDetector } from './idle-detector.ts';
import { InvokeContext } from './invoke-context.ts';
import { InvokeJobs, type HandOff } from './invoke-jobs.ts';
import { Invoke, type InvokeOptions, type ReleaseReason } from './invoke.ts';
import type { InvokeEvent, LifecycleOptions, UnfinishedJobs } from './lifecycle-options.ts';
import { holds, type Mode, type UnheldReason } from './lifecycle-mode.ts';
import { OrphanJobs } from './orphan-jobs.ts';
import type { ScopedInvoke } from './request-context.ts';
import type { ResponseHow } from './runtime-observer.ts';

export type { InvokeEvent, LifecycleOptions, UnfinishedJobs } from './lifecycle-options.ts';

/**
 * Owns the mode and every invoke's state machine (invoke.ts). The runtime observer, the
 * extension loop, the socket and the client only call the transitions below; none reads or
 * writes an invoke's state. See docs/how-it-works.md for the lifecycle map.
 */
export class Lifecycle {
  #mode: Mode = { kind: 'starting' };
  #observed = false;
  #warnedUnobserved = false;
  readonly #invokes = new Map<string, Invoke>();
  /** Invokes with unfinished jobs, held or not, released or not: what an exit must name. */
  readonly #busy = new Set<Invoke>();
  readonly #orphans = new OrphanJobs();
  readonly #options: LifecycleOptions;
  readonly #context: InvokeContext;
  readonly #idle: IdleDetector;
  readonly #waiters = new DrainWaiters();
  #current: Invoke | undefined;
  readonly #flushers: FlusherRegistry;
  readonly #detached: DetachedJobs;
  readonly #invokeOptions: InvokeOptions;

  constructor(options: LifecycleOptions) {
    this.#options = options;
    this.#context = options.context ?? new InvokeContext();
    this.#idle = new IdleDetector({ idleMs: options.fallbackIdleMs, setTimer: options.setTimer });
    this.#flushers = new FlusherRegistry(options.logger);
    this.#detached = new DetachedJobs({
      concurrency: options.concurrency, logger: options.logger, runOutside: (fn) => this.#context.exit(fn), flushers: this.#flushers.list,
      flushHere: () => this.#mode.kind === 'unheld' && this.#mode.reason === 'no-runtime-api', onChange: () => this.#waiters.wake(),
    });
    this.#invokeOptions = this.#sharedInvokeOptions();
  }

  get mode(): Mode {
    return this.#mode;
  }

  /** Runs `fn` outside any invoke's async context (servers whose callbacks must not inherit one). */
  detach<T>(fn: () => T): T {
    return this.#context.exit(fn);
  }

  registered(): void {
    if (this.#mode.kind === 'starting') this.#mode = { kind: 'held' };
  }

  runUnheld(reason: UnheldReason): void {
    if (this.#mode.kind === 'starting') this.#mode = { kind: 'unheld', reason };
  }

  /** The extension loop ended: nothing holds from now on; open invokes finish by the unheld rule. */
  loopStopped(): void {
    this.#mode = { kind: 'stopped' };
    for (const invoke of [...this.#invokes.values()]) if (invoke.phase === 'responded') invoke.finishHandler();
  }

  /** The runtime called the wrapped native `next` (see runtime-observer.ts). */
  runtimeObserved(): void {
    this.#observed = true;
  }

  /** The runtime called `next`: it is done with the current invoke; what it does next runs in a new context slot. */
  runtimeNext(): void {
    this.#context.enterNext();
    if (this.#mode.kind !== 'unheld') this.#current?.finishHandler();
  }

  /** The runtime's `next` returned an invoke: code awaiting it runs in that invoke's context. */
  invokeStarted(requestId: string, deadlineMs: number): void {
    if (this.#mode.kind === 'unheld') this.#sweepPastDeadline();
    const invoke = this.#invokeFor(requestId, deadlineMs);
    this.#context.bind(invoke);
    this.#current = invoke;
    this.#orphans.adoptInto(invoke);
  }

  /**
   * The runtime posted an invoke's response. A `returned` one means the handler has returned
   * (or called back): once what it queued for this turn has run, it is done, without waiting for
   * the runtime's own `next`. A `streamed` one is not: the handler may keep running.
   */
  responsePosted(requestId: string, how: ResponseHow): void {
    const invoke = this.#invokes.get(requestId);
    if (!invoke) return;
    if (this.#mode.kind === 'unheld' || this.#mode.kind === 'stopped') return invoke.finishHandler();
    invoke.respond();
    if (how === 'returned') (this.#options.defer ?? setImmediate)(() => invoke.finishHandler());
  }

  /** Resolves when the invoke may be released: the loop then calls `next`. */
  hold(event: InvokeEvent): Promise<ReleaseReason> {
    const invoke = this.#invokeFor(event.requestId, event.deadlineMs);
    if (!this.#observed) this.#holdBestEffort(invoke);
    const released = invoke.whenReleased();
    this.#forgetIfDone(invoke);
    return released;
  }

  /** A job function runs in the async context it was enqueued in (see InvokeContext.capture). */
  enqueue(job: Job, name: string, handOff?: HandOff): void {
    this.#place(typeof job === 'function' ? this.#context.capture(job) : job, name, undefined, handOff);
  }

  /** Registers a flusher: every invoke runs it in its `flushing` phase. Returns its unregister function. */
  addFlusher(flusher: Flusher, name: string): () => void {
    return this.#flushers.add(this.#context.capture(flusher), name, this.#context.current()?.requestId);
  }

  /** Opens a job finished by someone else (socket peers); held like a promise job. */
  openExternal(name: string, options: { readonly internal?: boolean } = {}): ExternalJob {
    return createExternalJob((done, bind) => this.#place(done, name, { bind, internal: options.internal === true }));
  }

  /**
   * Inside an invoke that has not responded: starts its queued jobs now (as without the layer)
   * and resolves when they have settled or been abandoned. Anywhere else: resolves when every
   * job known now has settled or been abandoned; jobs waiting for an invoke start now, unheld.
   */
  drain(): Promise<void> {
    const own = this.#context.current();
    if (own && own.phase !== 'released') {
      own.startEarly();
      return this.#waiters.until(() => own.idle || own.phase === 'released');
    }
    const orphans = this.#orphans.names();
    for (const name of orphans) this.#options.logger.log('DEBUG', 'drain starts a job enqueued outside any invoke', { job: name });
    if (orphans.length > 0) this.#detached.added();
    this.#orphans.adoptInto(this.#detached.jobs());
    return this.#waiters.until(() => [...this.#invokes.values()].every((i) => i.idle) && !this.#detached.busy);
  }

  /**
   * The invoke a framework's request context belongs to (request-context.ts): the caller's, by its
   * async context; where one invoke runs at a time (not `unheld`), else the one in progress, so a
   * server reached over a socket from the handler still finds it. `undefined` at init, between
   * invokes, and for a released invoke's late work.
   */
  scopedInvoke(): ScopedInvoke | undefined {
    const own = this.#context.current();
    const invoke = own ?? (this.#mode.kind === 'unheld' ? undefined : this.#current);
    if (!invoke || invoke.phase === 'released') return undefined;
    return { key: invoke, deadlineMs: invoke.deadlineMs, enqueue: (job, name) => this.#context.run(invoke, () => this.enqueue(job, name)) };
  }

  /** Hand-offs of every unfinished job that has one (tasks), by invoke: what SIGTERM passes on. */
  unfinishedHandOffs(): Array<{ readonly requestId: string; readonly name: string; readonly run: HandOff }> {
    const invokes = new Set([...this.#invokes.values(), ...this.#busy]);
    return [...invokes].flatMap((invoke) => invoke.unfinishedHandOffs().map((entry) => ({ requestId: invoke.requestId, ...entry })));
  }

  /** Every unfinished job by invoke, for the exit report. */
  unfinished(): UnfinishedJobs[] {
    const invokes = new Set([...this.#invokes.values(), ...this.#busy]);
    const found: UnfinishedJobs[] = [...invokes].map((invoke) => ({ requestId: invoke.requestId, jobs: invoke.unfinished() }));
    const detached = this.#detached.unfinished();
    if (detached) found.push(detached);
    const orphans = this.#orphans.names();
    if (orphans.length > 0) found.push({ requestId: '-', jobs: orphans });
    return found.filter((entry) => entry.jobs.length > 0);
  }

  #place(job: Job, name: string, external: { readonly bind: (owner: JobOwner) => void; readonly internal: boolean } | undefined, handOff?: HandOff): void {
    const owner = this.#context.current() ?? this.#contextless();
    if (owner === 'orphan') return this.#orphans.keep({ job, name, bind: external?.bind, internal: external?.internal });
    if (owner instanceof InvokeJobs) {
      this.#detached.added();
      owner.add(job, name, 'unheld');
      return external?.bind(owner);
    }
    const kind = owner.enqueue(job, name, { internal: external?.internal ?? false, handOff });
    external?.bind(owner);
    if (kind === 'late' && holds(this.#mode)) {
      this.#options.logger.log('WARN', 'job enqueued after its invoke was released (by a timer or callback that outlived the invoke?): it runs now, unheld, and may be frozen; enqueue before the handler returns', { requestId: owner.requestId, job: name });
    }
    if (this.#mode.kind === 'best-effort') this.#idle.touch(owner);
  }

  /** Work outside any invoke's async context (module init, a socket peer, a timer set at init). */
  #contextless(): Invoke | InvokeJobs | 'orphan' {
    if (this.#mode.kind === 'unheld') return this.#detached.jobs(); // concurrent invokes: none is "the current" one
    if (this.#current && this.#current.phase !== 'released') return this.#current;
    return this.#mode.kind === 'stopped' ? this.#detached.jobs() : 'orphan';
  }

  #invokeFor(requestId: string, deadlineMs: number): Invoke {
    let invoke = this.#invokes.get(requestId);
    if (invoke) return invoke;
    invoke = new Invoke(this.#invokeOptions, requestId, deadlineMs);
    this.#invokes.set(requestId, invoke);
    return invoke;
  }

  /** What every invoke shares, made once (#invokeFor runs in every invoke). */
  #sharedInvokeOptions(): InvokeOptions {
    const { concurrency, marginMs, graceMs, logger, clock, setTimer, defer, onSummary } = this.#options;
    return {
      concurrency, marginMs, graceMs, logger, clock, setTimer, ...(defer ? { defer } : {}), ...(onSummary ? { onSummary } : {}),
      flushers: this.#flushers.list,
      runInContext: (owner, fn) => this.#context.run(owner, fn),
      onTransition: (changed) => this.#changed(changed),
    };
  }

  /** A fast handler can be done before the loop gets its INVOKE event: a released invoke is kept until then. */
  #forgetIfDone(invoke: Invoke): void {
    if (invoke.phase === 'released' && (invoke.claimed || !holds(this.#mode))) this.#invokes.delete(invoke.requestId);
  }

  #changed(invoke: Invoke): void {
    this.#forgetIfDone(invoke);
    if (invoke.busy) this.#busy.add(invoke);
    else this.#busy.delete(invoke);
    if (this.#mode.kind === 'best-effort') this.#idle.touch(invoke);
    this.#waiters.wake();
  }

  /** Unheld (concurrent) invokes that never responded would stay for ever: past their deadline, the platform has ended them. */
  #sweepPastDeadline(): void {
    const now = this.#options.clock.wallNow();
    for (const invoke of [...this.#invokes.values()]) if (invoke.deadlineMs < now) invoke.finishHandler();
  }

  /** The runtime's progress cannot be seen: start jobs at once and call the handler done when idle. */
  #holdBestEffort(invoke: Invoke): void {
    if (holds(this.#mode)) this.#mode = { kind: 'best-effort' };
    if (!this.#warnedUnobserved) {
      this.#warnedUnobserved = true;
      this.#options.logger.log('WARN', UNOBSERVED, { requestId: invoke.requestId });
    }
    this.#current = invoke;
    this.#orphans.adoptInto(invoke);
    invoke.respond();
    this.#idle.touch(invoke);
  }
}

const UNOBSERVED = "the runtime's progress was never observed (its rapid-client.node was not loaded through process.dlopen, e.g. AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true): best-effort mode, jobs start when enqueued and the handler counts as done after AFTER_RESPONSE_FALLBACK_IDLE_MS without new jobs";
