import type { Flusher, Job } from '../client/host-interface.ts';
import { BestEffort } from './best-effort.ts';
import { DetachedJobs } from './detached-jobs.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FlusherRegistry } from './flusher-registry.ts';
import { createExternalJob, type ExternalJob, type JobOwner } from './external-job.ts';
import { InvokeContext } from './invoke-context.ts';
import { InvokeJobs, type HandOff } from './invoke-jobs.ts';
import { LostEvents } from './lost-events.ts';
import { Invoke, type InvokeOptions, type ReleaseReason } from './invoke.ts';
import { sharedInvokeOptions } from './invoke-options.ts';
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
  readonly #invokes = new Map<string, Invoke>();
  /** Invokes with unfinished jobs, held or not, released or not: what an exit must name. */
  readonly #busy = new Set<Invoke>();
  readonly #orphans = new OrphanJobs();
  readonly #options: LifecycleOptions;
  readonly #context: InvokeContext;
  readonly #bestEffort: BestEffort;
  readonly #waiters = new DrainWaiters();
  #current: Invoke | undefined;
  readonly #flushers: FlusherRegistry;
  readonly #detached: DetachedJobs;
  readonly #invokeOptions: InvokeOptions;
  readonly #lost: LostEvents;

  constructor(options: LifecycleOptions) {
    this.#options = options;
    this.#context = options.context ?? new InvokeContext();
    this.#lost = new LostEvents(options.setTimer);
    this.#bestEffort = new BestEffort({ idleMs: options.fallbackIdleMs, setTimer: options.setTimer, logger: options.logger });
    this.#flushers = new FlusherRegistry(options.logger);
    this.#detached = new DetachedJobs({
      concurrency: options.concurrency, logger: options.logger, runOutside: (fn) => this.#context.exit(fn), flushers: this.#flushers.list,
      flushHere: () => this.#mode.kind === 'unheld' && this.#mode.reason === 'no-runtime-api', onChange: () => this.#waiters.wake(),
    });
    // What every invoke shares, made once: #invokeFor runs in every invoke.
    this.#invokeOptions = sharedInvokeOptions(options, { flushers: this.#flushers.list, runInContext: (owner, fn) => this.#context.run(owner, fn), onTransition: (changed) => this.#changed(changed) });
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
    this.#lost.runtimeWaiting();
    const current = this.#current;
    if (this.#mode.kind !== 'unheld' && current) this.#doneAfterPendingInput(current);
  }

  /** The runtime's `next` returned an invoke: code awaiting it runs in that invoke's context. */
  invokeStarted(requestId: string, deadlineMs: number): void {
    if (this.#mode.kind === 'unheld') this.#sweepPastDeadline();
    const invoke = this.#invokeFor(requestId, deadlineMs);
    this.#context.bind(invoke);
    this.#current = invoke;
    this.#orphans.adoptInto(invoke);
    this.#lost.invokeStarted();
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
    if (how === 'returned') this.#doneAfterPendingInput(invoke);
  }

  /**
   * The handler is done, but input that arrived before that may not have been read: a socket
   * peer (a forked child, a worker thread on a kept connection) writes its `open`, then tells the
   * handler "queued", and the runtime posts the response and calls `next` inside the callback
   * that resumed the handler. Done at once, or one turn later, the invoke was released before
   * that `open` was read and the job joined the next invoke (measured under the rig, a pool worker
   * thread: every other invoke; on nodejs22.x the `open` came one loop iteration later). So the
   * invoke is done after two turns: a whole poll phase has run since, reading what was pending.
   */
  #doneAfterPendingInput(invoke: Invoke): void {
    const defer = this.#options.defer ?? setImmediate;
    defer(() => defer(() => invoke.finishHandler()));
  }

  /**
   * A request reached one of the function's HTTP servers (server-requests.ts): its handling
   * belongs to the invoke in progress, not to the context the server was created in — a server
   * created lazily in invoke 1 would tie every later request to invoke 1, released long ago.
   * Context-less with none in progress, and on Managed Instances, where several run at once.
   */
  serverRequest(): void {
    this.#context.enter(this.#inProgress());
  }

  /** Resolves when the invoke may be released: the loop then calls `next`. */
  hold(event: InvokeEvent): Promise<ReleaseReason> {
    if (this.#lost.wasHeld(event.requestId)) return Promise.resolve('settled'); // held already, after a failed `next`
    const invoke = this.#invokeFor(event.requestId, event.deadlineMs);
    if (!this.#observed) this.#holdBestEffort(invoke);
    const released = invoke.whenReleased();
    this.#forgetIfDone(invoke);
    return released;
  }

  /**
   * The loop's `next` failed, so the event it waited for may have been consumed and lost (see
   * lost-events.ts): holds the invoke the runtime runs if the loop never claimed it — waiting up
   * to `windowMs` for one to start if the runtime is between invokes — and resolves with its
   * request id once it is released; `undefined` at once when there is none, or nothing holds.
   */
  async holdLostEvent({ windowMs }: { readonly windowMs: number }): Promise<string | undefined> {
    if (!holds(this.#mode)) return undefined;
    await this.#lost.settle(windowMs);
    const invoke = this.#inProgress();
    if (!invoke || invoke.claimed) return undefined;
    await this.hold(invoke);
    this.#lost.remember(invoke.requestId); // after: until now the loop does not poll
    return invoke.requestId;
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
    // A context-less caller during an invoke (a route of a server started at init) is that
    // invoke's: waiting for its queued jobs, which start only after the response, would deadlock.
    const own = this.#context.current() ?? this.#inProgress();
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
   * async context, else the one in progress (see {@link serverRequest}). `undefined` at init,
   * between invokes, and for a released invoke's late work.
   */
  scopedInvoke(): ScopedInvoke | undefined {
    const invoke = this.#context.current() ?? this.#inProgress();
    if (!invoke || invoke.phase === 'released') return undefined;
    return { key: invoke, requestId: invoke.requestId, deadlineMs: invoke.deadlineMs, enqueue: (job, name) => this.#context.run(invoke, () => this.enqueue(job, name)) };
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
    if (this.#mode.kind === 'best-effort') this.#bestEffort.touch(owner);
  }

  /** Work outside any invoke's async context (module init, a socket peer, a timer set at init). */
  #contextless(): Invoke | InvokeJobs | 'orphan' {
    if (this.#mode.kind === 'unheld') return this.#detached.jobs(); // concurrent invokes: none is "the current" one
    return this.#inProgress() ?? (this.#mode.kind === 'stopped' ? this.#detached.jobs() : 'orphan');
  }

  /** The one invoke running now, where invokes run one at a time (not `unheld`); none once released. */
  #inProgress(): Invoke | undefined {
    if (this.#mode.kind === 'unheld' || this.#current?.phase === 'released') return undefined;
    return this.#current;
  }

  #invokeFor(requestId: string, deadlineMs: number): Invoke {
    let invoke = this.#invokes.get(requestId);
    if (invoke) return invoke;
    invoke = new Invoke(this.#invokeOptions, requestId, deadlineMs);
    this.#invokes.set(requestId, invoke);
    return invoke;
  }

  /** A fast handler can be done before the loop gets its INVOKE event: a released invoke is kept until then. */
  #forgetIfDone(invoke: Invoke): void {
    if (invoke.phase === 'released' && (invoke.claimed || !holds(this.#mode))) this.#invokes.delete(invoke.requestId);
  }

  #changed(invoke: Invoke): void {
    this.#forgetIfDone(invoke);
    if (invoke.busy) this.#busy.add(invoke);
    else this.#busy.delete(invoke);
    if (this.#mode.kind === 'best-effort') this.#bestEffort.touch(invoke);
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
    this.#bestEffort.unobserved(invoke);
    this.#current = invoke;
    this.#orphans.adoptInto(invoke);
    invoke.respond();
    this.#bestEffort.touch(invoke);
  }
}
