import type { Flusher, Job } from '../../shared/host-protocol.ts';
import { BestEffort } from './best-effort.ts';
import { createDeadlineTimers } from './deadline-timers.ts';
import { DetachedJobs } from './detached-jobs.ts';
import { drain } from './drain.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FlusherRegistry } from './flusher-registry.ts';
import { createExternalJob, type ExternalJob } from './external-job.ts';
import type { AsyncContext } from './async-context.ts';
import type { HandOff } from './hand-offs.ts';
import type { Invoke, InvokeObserver, ReleaseReason } from './invoke.ts';
import { InvokeRegistry, unfinishedHandOffs, unfinishedJobs, type UnfinishedHandOff } from './invoke-registry.ts';
import { sharedInvokeOptions } from './invoke-options.ts';
import type { InvokeEvent, LifecycleOptions, UnfinishedJobs } from './lifecycle-options.ts';
import { startingPolicy, type HoldPolicy, type Mode, type UnheldReason } from './hold-policy.ts';
import { NO_PLACEMENT, placeJob, type PlacementSite } from './job-placement.ts';
import { LostEvents } from './lost-events.ts';
import { OrphanJobs } from './orphan-jobs.ts';
import { doneAfterPendingInput } from './pending-input.ts';
import type { ResponseHow, RuntimeEvents } from './runtime-events.ts';
import { scopedInvoke, type ScopedInvoke } from './scoped-invoke.ts';

export type { InvokeEvent, LifecycleOptions, UnfinishedJobs } from './lifecycle-options.ts';

/**
 * Owns the mode (a policy object, hold-policy.ts) and every invoke's state machine (invoke.ts).
 * The runtime observer (through {@link RuntimeEvents}), the extension loop, the socket and the
 * client only call the transitions below, never an invoke's state (map: docs/how-it-works.md).
 */
export class Lifecycle implements RuntimeEvents, InvokeObserver<Invoke> {
  #policy: HoldPolicy;
  #observed = false;
  /** onFirstWork, until the first job, external job or flusher; checked inline (a call per job: one more function for V8 to compile). */
  #firstWork: (() => void) | undefined;
  readonly #invokes: InvokeRegistry;
  readonly #orphans = new OrphanJobs();
  readonly #options: LifecycleOptions;
  readonly #context: AsyncContext<Invoke>;
  readonly #bestEffort: BestEffort;
  readonly #waiters = new DrainWaiters();
  readonly #flushers: FlusherRegistry;
  readonly #detached: DetachedJobs;
  readonly #site: PlacementSite;
  readonly #lost: LostEvents;

  constructor(options: LifecycleOptions) {
    this.#options = options;
    this.#context = options.context;
    this.#bestEffort = new BestEffort({ idleMs: options.fallbackIdleMs, setTimer: options.setTimer, logger: options.logger });
    this.#policy = startingPolicy(this.#bestEffort);
    this.#flushers = new FlusherRegistry(options.logger);
    this.#detached = new DetachedJobs({ concurrency: options.concurrency, defer: options.defer, logger: options.logger, context: this.#context, flushers: this.#flushers.list,
      flushHere: () => this.#policy.flushesDetached, onChange: () => this.#waiters.wake(), ...(options.raiseListenerLimit ? { raiseListenerLimit: options.raiseListenerLimit } : {}) });
    // What every invoke shares, made once: invokeFor runs in every invoke.
    this.#invokes = new InvokeRegistry(sharedInvokeOptions(options, { flushers: this.#flushers.list, observer: this, deadlines: createDeadlineTimers({ setTimer: options.setTimer, wallNow: options.clock.wallNow }) }));
    this.#site = { context: this.#context, orphans: this.#orphans, detached: this.#detached, logger: options.logger, marginMs: options.marginMs, inProgress: () => this.#invokes.inProgress(this.#policy) };
    this.#lost = new LostEvents(options.setTimer);
    this.#firstWork = options.onFirstWork;
  }

  get mode(): Mode {
    return this.#policy.mode;
  }

  /** Runs `fn` outside any invoke's async context (servers whose callbacks must not inherit one). */
  detach<T>(fn: () => T): T {
    return this.#context.exit(fn);
  }

  registered(): void { this.#policy = this.#policy.registered(); }

  runUnheld(reason: UnheldReason): void { this.#policy = this.#policy.runUnheld(reason); }

  /** The extension loop ended: nothing holds from now on; open invokes finish by the unheld rule. */
  loopStopped(): void {
    this.#policy = this.#policy.loopStopped();
    for (const invoke of this.#invokes.open()) if (invoke.phase === 'responded') invoke.finishHandler();
  }

  /** The runtime called the wrapped native `next` (see runtime-observer.ts). */
  observed(): void {
    this.#observed = true;
  }

  /** The runtime called `next`: it is done with the current invoke; what it does next runs in a new context slot. */
  runtimeNext(): void {
    this.#context.enterNext();
    this.#lost.runtimeWaiting();
    const current = this.#invokes.current;
    if (this.#policy.oneAtATime && current) doneAfterPendingInput(current, this.#options.defer);
  }

  /** The runtime's `next` returned an invoke: code awaiting it runs in that invoke's context. */
  invokeStarted(requestId: string, deadlineMs: number): void {
    if (!this.#policy.oneAtATime) this.#invokes.finishPastDeadline(this.#options.clock.wallNow());
    const invoke = this.#invokes.invokeFor(requestId, deadlineMs);
    this.#context.bind(invoke);
    this.#invokes.makeCurrent(invoke);
    this.#orphans.adoptInto(invoke);
    this.#lost.invokeStarted();
  }

  /**
   * The runtime posted an invoke's response. A `returned` one: the handler is done once what it
   * queued for this turn has run (pending-input.ts). A `streamed` one: it may keep running.
   */
  responsePosted(requestId: string, how: ResponseHow): void {
    const invoke = this.#invokes.get(requestId);
    if (!invoke) return;
    if (this.#policy.finishesOnResponse) return invoke.finishHandler();
    invoke.respond();
    if (how === 'returned') doneAfterPendingInput(invoke, this.#options.defer);
  }

  /**
   * A request reached one of the function's HTTP servers: it belongs to the invoke in progress,
   * not to the server's creator (server-requests.ts); to none on Managed Instances (concurrent).
   */
  serverRequest(): void {
    this.#context.enter(this.#invokes.inProgress(this.#policy));
  }

  /** Resolves when the invoke may be released: the loop then calls `next`. */
  hold(event: InvokeEvent): Promise<ReleaseReason> {
    if (this.#lost.wasHeld(event.requestId)) return Promise.resolve('settled'); // held already, after a failed `next`
    const invoke = this.#invokes.invokeFor(event.requestId, event.deadlineMs);
    if (!this.#observed) this.#holdBestEffort(invoke);
    const released = invoke.whenReleased();
    this.#invokes.forgetIfDone(invoke, { holds: this.#policy.holds });
    return released;
  }

  /** The loop's `next` failed: holds the invoke whose event it may have lost (see LostEvents.hold). */
  holdLostEvent({ windowMs }: { readonly windowMs: number }): Promise<string | undefined> {
    return this.#lost.hold(windowMs, { holds: this.#policy.holds, inProgress: () => this.#invokes.inProgress(this.#policy), hold: (invoke) => this.hold(invoke) });
  }

  /** A job function runs in the async context it was enqueued in (see AsyncContext.capture); `handOff` passes it on (tasks). */
  enqueue(job: Job, name: string, handOff?: HandOff): void {
    if (this.#firstWork) this.#takeFirstWork();
    placeJob(this.#site, this.#policy, typeof job === 'function' ? this.#context.capture(job) : job, name, 'held', handOff ? { handOff } : NO_PLACEMENT);
  }

  /** Registers a flusher: every invoke runs it in its `flushing` phase. Returns its unregister function. */
  addFlusher(flusher: Flusher, name: string): () => void {
    if (this.#firstWork) this.#takeFirstWork();
    return this.#flushers.add(this.#context.capture(flusher), name, this.#context.current()?.requestId);
  }

  /** Opens a job finished by someone else (socket peers); held like a promise job (`internal`: the extension's own, not counted). */
  openExternal(name: string, options: { readonly internal?: boolean } = {}): ExternalJob {
    if (this.#firstWork) this.#takeFirstWork();
    return createExternalJob((done, bind) => placeJob(this.#site, this.#policy, done, name, options.internal === true ? 'internal' : 'held', { external: { bind } }));
  }

  /** `drainAfterResponse()`: see drain.ts. */
  drain(): Promise<void> {
    return drain(this.#site, this.#waiters, this.#invokes);
  }

  /** The invoke a framework's request context belongs to (see scoped-invoke.ts). */
  scopedInvoke(): ScopedInvoke | undefined {
    return scopedInvoke(this.#context, this.#invokes.inProgress(this.#policy), (job, name) => this.enqueue(job, name));
  }

  /** Hand-offs of every unfinished job that has one (tasks), by invoke: what SIGTERM passes on. */
  unfinishedHandOffs(): UnfinishedHandOff[] {
    return unfinishedHandOffs(this.#invokes);
  }

  /** Every unfinished job by invoke, for the exit report. */
  unfinished(): UnfinishedJobs[] {
    return unfinishedJobs(this.#invokes, this.#detached, this.#orphans);
  }

  /** An invoke changed phase, or one of its jobs changed (InvokeObserver). */
  invokeChanged(invoke: Invoke): void {
    this.#invokes.forgetIfDone(invoke, this.#policy); // the policy has `holds`: no options object per job that settles
    this.#invokes.changed(invoke);
    this.#policy.touch(invoke);
    this.#waiters.wake();
  }

  /** Calls onFirstWork, once: cleared before, so a throw is not retried. */
  #takeFirstWork(): void {
    const run = this.#firstWork;
    this.#firstWork = undefined;
    run?.();
  }

  /** The runtime's progress cannot be seen: start jobs at once and call the handler done when idle. */
  #holdBestEffort(invoke: Invoke): void {
    this.#policy = this.#policy.unobserved();
    this.#bestEffort.unobserved(invoke);
    this.#invokes.makeCurrent(invoke);
    this.#orphans.adoptInto(invoke);
    invoke.respond();
    this.#bestEffort.touch(invoke);
  }
}
