/**
 * What the extension's two composition roots build the same way: the layer (main.ts) and the test
 * kit (testing/layer-wiring.ts). Each passes its own side effects — the layer the process's timers
 * and stdout, the kit its real timers marked as the layer's own and its log collector — so the
 * lifecycle and the published host a user's test runs are the ones Lambda runs.
 */
import type { Flusher, HostV1, Job } from '../shared/host-protocol.ts';
import type { Logger } from '../shared/log-line.ts';
import type { AsyncContext } from './core/async-context.ts';
import type { Config } from './core/config.ts';
import type { Invoke } from './core/invoke.ts';
import { nameHandOff, type HandOff } from './core/hand-offs.ts';
import { Lifecycle } from './core/lifecycle.ts';
import type { createEmfWriter } from './reporting/emf-metrics.ts';
import { lazyEmfWriter } from './reporting/lazy-emf.ts';
import { AlsContext } from './runtime-hooks/als-context.ts';
import { guardFailed, type Guard } from './runtime-hooks/guard.ts';

/** The side effects a lifecycle is given. */
export interface LifecycleEffects {
  /** The async context the invokes are attributed through: the test kit passes its own, to ask it (job-placement.ts); default a new one. */
  readonly context?: AsyncContext<Invoke>;
  /** Runs `run` on a later turn (setImmediate). */
  readonly defer: (run: () => void) => void;
  /** An unref'd timer of `ms` milliseconds; returns what cancels it. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** A monotonic clock in milliseconds. */
  readonly monoNow: () => number;
  /** Where an EMF line goes (AFTER_RESPONSE_METRICS=emf), written synchronously. */
  readonly writeMetrics: (line: string) => void;
  /** `AWS_LAMBDA_FUNCTION_NAME`, a dimension of the EMF lines. */
  readonly functionName: string | undefined;
  /**
   * Loads the EMF code at the first summary (reporting/lazy-emf.ts): the layer requires its
   * separate build (lambda-after-response/reporting.cjs), the test kit passes the function itself.
   */
  readonly loadEmfWriter: () => typeof createEmfWriter;
  /** Told once, before the first job, external job or flusher enters (LifecycleOptions.onFirstWork). @default none */
  readonly onFirstWork?: () => void;
}

/** The lifecycle with `config`'s settings and `effects`; its summary goes out as EMF when metrics are on. */
export function createLifecycle(config: Config, logger: Logger, effects: LifecycleEffects): Lifecycle {
  return new Lifecycle({
    context: effects.context ?? new AlsContext(), defer: effects.defer, setTimer: effects.setTimer, logger,
    // Every job may listen to an invoke's one signal (external jobs always do): no leak warning at 11.
    raiseListenerLimit: (signal) => process.getBuiltinModule('node:events').setMaxListeners(0, signal),
    concurrency: config.concurrency, marginMs: config.deadlineMarginMs, graceMs: config.abortGraceMs, fallbackIdleMs: config.fallbackIdleMs,
    clock: { wallNow: Date.now, monoNow: effects.monoNow },
    ...(effects.onFirstWork ? { onFirstWork: effects.onFirstWork } : {}),
    // The line is built only at a release with jobs; the code that builds it is loaded at the first.
    ...(config.metrics === 'emf' ? { onSummary: lazyEmfWriter({ namespace: config.metricsNamespace, functionName: effects.functionName, write: effects.writeMetrics, logger, load: effects.loadEmfWriter }) } : {}),
  });
}

/** A job on its way into the lifecycle, with its hand-off when it is a task. */
export interface EnqueuedJob {
  readonly job: Job;
  readonly handOff?: HandOff | undefined;
}

/** What the test kit adds to the host: each job and flusher recorded on its way in. */
export interface HostHooks {
  /** Returns the job (and hand-off) to enqueue instead; undefined keeps them. */
  readonly recordJob?: (entry: EnqueuedJob, name: string) => EnqueuedJob | undefined;
  readonly recordFlusher?: (flusher: Flusher, name: string) => Flusher;
}

/** The host clients enqueue into (the host protocol's version 1), every call guarded. */
export function createHost(lifecycle: Lifecycle, guard: Guard, hooks: HostHooks = {}): HostV1 {
  return {
    // The client validated the job; an internal failure here is logged by the guard, never thrown into the handler.
    // Its own try, not a guarded closure, and the entry made only for the test kit's hook: this runs
    // per job (a closure and an object per job, ~320 B per invoke of 10 jobs on nodejs24.x).
    enqueue: (job, { name, handOff, task }) => {
      try {
        const ownHandOff = typeof handOff === 'function' ? handOff : undefined;
        const recorded = hooks.recordJob ? (hooks.recordJob({ job, handOff: ownHandOff }, name) ?? { job, handOff: ownHandOff }) : undefined;
        const passOn = recorded ? recorded.handOff : ownHandOff;
        if (passOn) nameHandOff(passOn, task);
        lifecycle.enqueue(recorded ? recorded.job : job, name, passOn);
      } catch (error) {
        guardFailed(guard, 'enqueue', error); // logged as any guarded hook's failure, never thrown into the handler
      }
    },
    drain: () => guard('drain', () => lifecycle.drain()) ?? Promise.resolve(),
    addFlusher: (flusher, { name }) => guard('addFlusher', () => lifecycle.addFlusher(hooks.recordFlusher?.(flusher, name) ?? flusher, name)) ?? (() => undefined),
    // Tasks (client/tasks/): this host calls `handOff` at the abort, the grace's end and SIGTERM.
    handOff: true,
    currentDeadlineMs: () => guard('currentDeadlineMs', () => lifecycle.scopedInvoke()?.deadlineMs),
    currentRequestId: () => guard('currentRequestId', () => lifecycle.scopedInvoke()?.requestId),
  };
}
