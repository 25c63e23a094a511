/**
 * The test kit's composition root: the layer's REAL lifecycle, runtime observer, registration,
 * extension loop, request-context providers and server-request attribution (the modules the
 * layer ships, see extension/main.ts), wired to the in-process Runtime API double instead of
 * `rapid-client.node` and the Extensions API over HTTP. The only file of the kit that imports the
 * extension (layer-shared.ts imports the client's shared modules): what passes here runs the code
 * that runs on Lambda.
 */
import { createLogger, HOST_PROTOCOL, HOST_REGISTRY_KEY, readWaitingFlushers, type HostRegistry, type HostV1, type Logger, type WaitingFlusher } from './layer-shared.ts';
import { parseConfig, type Config } from '../core/config.ts';
import { createHost, createLifecycle } from '../composition.ts';
import { createEmfWriter } from '../reporting/emf-metrics.ts';
import type { AsyncContext } from '../core/async-context.ts';
import { modeHolds } from '../core/hold-policy.ts';
import type { Invoke } from '../core/invoke.ts';
import { handlerOutlivedHold } from '../core/job-placement.ts';
import { Lifecycle } from '../core/lifecycle.ts';
import { AlsContext } from '../runtime-hooks/als-context.ts';
import { register } from '../extensions-api/registration.ts';
import { createGuard, type Guard } from '../runtime-hooks/guard.ts';
import { installRequestContexts, REQUEST_CONTEXT_SYMBOLS, type ScopedInvoke } from '../runtime-hooks/request-context.ts';
import { guardEvents, wrapNativeClient } from '../runtime-hooks/runtime-observer.ts';
import { attributeServerRequests } from '../runtime-hooks/server-requests.ts';
import { JobRecorder } from './job-recorder.ts';
import { realClearTimeout, realSetImmediate, realSetTimeout } from './real-timers.ts';
import { RuntimeApiDouble, type NativeClient } from './runtime-double.ts';

declare const LAYER_VERSION: string | undefined;

export interface LayerOptions {
  /** The environment the layer's settings are read from (`AFTER_RESPONSE_*`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Timers and immediates the layer creates are added here (never reported as frozen work). */
  readonly own: WeakSet<object>;
  /** Where each log line goes. */
  readonly write: (line: string) => void;
  /** The recorder of the invoke in progress, if any. */
  readonly recorder: () => JobRecorder | undefined;
}

/** One execution environment's layer, as the preload sets it up. */
export interface Layer {
  readonly double: RuntimeApiDouble;
  /** The native client as the runtime sees it once the layer's observer wrapped it. */
  readonly native: NativeClient;
  /** Why the layer released an invoke (`settled` or `deadline`), once released; read once. */
  releaseReason(requestId: string): 'settled' | 'deadline' | undefined;
  /** Publishes the host and the request-context providers, subscribes the server-request channel; returns what undoes it. */
  publish(): () => void;
}

/** A key that changes when any layer setting changes: a new one means a new (cold) environment. */
export function layerSettingsKey(env: Readonly<Record<string, string | undefined>>): string {
  return JSON.stringify(Object.entries(env).filter(([name]) => name.startsWith('AFTER_RESPONSE_')).sort(([a], [b]) => a.localeCompare(b)));
}

export function createLayer(options: LayerOptions): Layer {
  const { config, problems } = parseConfig(options.env);
  const logger = createLogger({ level: config.logLevel, write: options.write });
  for (const problem of problems) logger.log('ERROR', `invalid configuration: ${problem}`);
  const guard = createGuard(logger);
  const monoStart = performance.now();
  const context: AsyncContext<Invoke> = new AlsContext<Invoke>(); // its own, to ask which invoke a job's caller belongs to (recordingHost)
  // As extension/main.ts makes it; its EMF lines (AFTER_RESPONSE_METRICS=emf) join the log lines.
  const lifecycle = createLifecycle(config, logger, { context,
    defer: (run) => void options.own.add(realSetImmediate(run)), setTimer: ownTimer(options.own),
    monoNow: () => performance.now() - monoStart, writeMetrics: options.write, functionName: options.env.AWS_LAMBDA_FUNCTION_NAME,
    loadEmfWriter: () => createEmfWriter, // the kit is one bundle: no separate file to load
  });
  const double = new RuntimeApiDouble();
  const reasons = new Map<string, 'settled' | 'deadline'>();
  const adopted = new Map<WaitingFlusher, () => void>();
  const tracker = {
    registered: () => lifecycle.registered(), runUnheld: (reason: Parameters<Lifecycle['runUnheld']>[0]) => lifecycle.runUnheld(reason), loopStopped: () => lifecycle.loopStopped(),
    detach: <T>(fn: () => T): T => lifecycle.detach(fn),
    holdLostEvent: (windowOptions: { readonly windowMs: number }) => lifecycle.holdLostEvent(windowOptions),
    hold: async (event: { requestId: string; deadlineMs: number }) => {
      const reason = await lifecycle.hold(event);
      reasons.set(event.requestId, reason);
      return reason;
    },
  };
  const native = { ...double.native };
  // AFTER_RESPONSE_DISABLED: the preload does nothing at all (extension/main.ts), as here.
  if (config.disabled) return { double, native, releaseReason: () => undefined, publish: () => () => undefined };
  const registration = register({ api: double.extensionsApi, name: 'lambda-after-response', lifecycle: tracker, logger, setTimer: ownTimer(options.own) });
  // The lifecycle is the runtime's events' receiver, as extension/main.ts hands it to observeRuntime.
  wrapNativeClient(native, guardEvents(lifecycle, guard), { beforeFirstNext: registration, guard });
  return {
    double, native,
    releaseReason: (requestId) => {
      const reason = reasons.get(requestId);
      reasons.delete(requestId);
      return reason;
    },
    publish: () => publish({ config, logger, guard, lifecycle, context, recorder: options.recorder, adopted }),
  };
}

/** An unref'd timer, as the layer's; marked as the layer's own. */
function ownTimer(own: WeakSet<object>): (run: () => void, ms: number) => () => void {
  return (run, ms) => {
    const timer = realSetTimeout(run, ms);
    timer.unref();
    own.add(timer);
    return () => realClearTimeout(timer);
  };
}

interface PublishOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly guard: Guard;
  readonly lifecycle: Lifecycle;
  readonly context: AsyncContext<Invoke>;
  readonly recorder: () => JobRecorder | undefined;
  /** Waiting flushers already handed to this lifecycle, with what unregisters each. */
  readonly adopted: Map<WaitingFlusher, () => void>;
}

/**
 * Flushers the function's module registered at import, before any invoke published a host (the
 * client lists them, see WAITING_FLUSHERS_KEY): on Lambda the layer's host exists at init and runs
 * them every invoke, so this environment's lifecycle takes them over; ones unregistered since go.
 */
function adoptWaitingFlushers(lifecycle: Lifecycle, adopted: Map<WaitingFlusher, () => void>, recorder: () => JobRecorder | undefined): void {
  const waiting = new Set(readWaitingFlushers(globalThis));
  for (const [flusher, unregister] of adopted) {
    if (waiting.has(flusher)) continue;
    unregister();
    adopted.delete(flusher);
  }
  for (const flusher of waiting) {
    if (!adopted.has(flusher)) adopted.set(flusher, lifecycle.detach(() => lifecycle.addFlusher(JobRecorder.flusher(flusher.run, flusher.name, recorder), flusher.name)));
  }
}

/** What extension/main.ts publishes, made undoable: the layer's globals live only for the length of an invoke. */
function publish({ config, logger, guard, lifecycle, context, recorder, adopted }: PublishOptions): () => void {
  adoptWaitingFlushers(lifecycle, adopted, recorder);
  const keys: readonly symbol[] = [HOST_REGISTRY_KEY, ...config.requestContexts.map((kind) => REQUEST_CONTEXT_SYMBOLS[kind])];
  const saved = keys.map((key) => ({ key, descriptor: Object.getOwnPropertyDescriptor(globalThis, key) }));
  const host = recordingHost(lifecycle, guard, { context, recorder });
  const registry: HostRegistry = { layerVersion: typeof LAYER_VERSION === 'string' ? LAYER_VERSION : 'source', protocols: { [HOST_PROTOCOL]: host } };
  Object.defineProperty(globalThis, HOST_REGISTRY_KEY, { value: Object.freeze(registry), enumerable: false, configurable: true });
  installRequestContexts({ kinds: config.requestContexts, global: globalThis, current: () => recordedScope(lifecycle, recorder), marginMs: config.deadlineMarginMs, logger, guard });
  const unsubscribe = attributeServerRequests(process.getBuiltinModule('node:diagnostics_channel'), () => lifecycle.serverRequest(), guard);
  return () => {
    unsubscribe();
    for (const { key, descriptor } of saved) {
      Reflect.deleteProperty(globalThis, key);
      if (descriptor) Object.defineProperty(globalThis, key, descriptor);
    }
  };
}

/** The invoke a request context belongs to, its promises recorded on their way in (`next after()`, `vercel waitUntil`). */
function recordedScope(lifecycle: Lifecycle, recorder: () => JobRecorder | undefined): ScopedInvoke | undefined {
  const scoped = lifecycle.scopedInvoke();
  if (!scoped) return undefined;
  return { ...scoped, enqueue: (promise, name) => scoped.enqueue(recorder()?.promise(promise, name, { task: false }) ?? promise, name) };
}

/** The host of extension/main.ts, with each job and flusher recorded on its way in (see job-recorder.ts). */
function recordingHost(lifecycle: Lifecycle, guard: Guard, { context, recorder }: { readonly context: AsyncContext<Invoke>; readonly recorder: () => JobRecorder | undefined }): HostV1 {
  return createHost(lifecycle, guard, {
    recordJob: ({ job, handOff }, name) => {
      // Only work of the invoke in progress is its: a released invoke's late work from a timer or
      // callback that outlived it is not (the log names it). The handler's own past the hold (its
      // invoke released while it runs) is, as `unheld`: the layer's `handlerRunning` WARN, which
      // `npm run invoke` counts as not held.
      const unheld = !lifecycle.scopedInvoke();
      const current = unheld && !handlerOutlivedHold(context, { holds: modeHolds(lifecycle.mode) }) ? undefined : recorder();
      if (!current) return undefined;
      return handOff ? current.task(job, name, handOff, { unheld }) : { job: current.job(job, name, { task: false, unheld }) };
    },
    recordFlusher: (flusher, name) => JobRecorder.flusher(flusher, name, recorder),
  });
}
