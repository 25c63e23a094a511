/**
 * The internal extension, loaded into the runtime process with `--import` (see layer/after-response).
 * Decides at startup whether this process or thread runs the extension (core/startup.ts, a pure decision),
 * gives the lifecycle its first mode (core/hold-policy.ts; it changes only at the lifecycle's named
 * transitions: registered, runUnheld, loopStopped, unobserved), registers for INVOKE before the runtime's first
 * `next` (which waits for it), publishes the host that clients enqueue into, and holds each
 * invoke until its jobs settle. Only this file wires side effects; only the loop's outcome ends
 * holding, and nothing here ever exits the process (it is the runtime's).
 */
// Builtins come from `process.getBuiltinModule`, never `import`: an ESM import of a builtin builds
// its namespace (node:http's loads http2: +40-60 ms, +10 MB at init). node:net is loaded by both
// runtime clients anyway.
import { HOST_PROTOCOL, HOST_REGISTRY_KEY, type HostRegistry } from '../shared/host-protocol.ts';
import { createLogger, type Logger } from '../shared/log-line.ts';
import { isManagedInstances, parseConfig, type Config } from './core/config.ts';
import { createHost, createLifecycle } from './composition.ts';
import { installExitReport } from './reporting/exit-report.ts';
import { ExtensionsApi } from './extensions-api/extensions-api.ts';
import { createGuard, type Guard } from './runtime-hooks/guard.ts';
import { Lifecycle } from './core/lifecycle.ts';
import { createRawHttpTransport } from './extensions-api/raw-http.ts';
import { register } from './extensions-api/registration.ts';
import { observeRuntime, observeStreamedResponses } from './runtime-hooks/runtime-observer.ts';
import { installRequestContexts } from './runtime-hooks/request-context.ts';
import { attributeServerRequests } from './runtime-hooks/server-requests.ts';
import { prepareSocket } from './socket/start-socket.ts';
import type { SocketParts } from './socket/socket-parts.ts';
import type { ReportingParts } from './reporting/reporting-parts.ts';
import { taskFields } from './core/hand-offs.ts';
import { requireBeside } from './lazy-file.ts';
import { AlsContext } from './runtime-hooks/als-context.ts';
import { createSingleContext } from './runtime-hooks/single-context.ts';
import { attributionInEffect, decideStartup, isMainThread, type Startup } from './core/startup.ts';
import { createMallocTrim, type NativeTrim } from './memory/malloc-trim.ts';

declare const LAYER_VERSION: string;
const EXTENSION_NAME = 'lambda-after-response';

async function main(): Promise<void> {
  // Decided before parsing the rest: child Node processes and a function's own threads skip.
  const startup = decideStartup({ env: process.env, pid: process.pid, isMainThread: isMainThread(process), managedInstances: isManagedInstances(process.env) });
  if (startup.kind === 'skip') return;
  const { config, problems } = parseConfig(process.env);
  process.env.AFTER_RESPONSE_EXTENSION_PID = String(process.pid);
  const logger = createLogger({ level: config.logLevel, write: (line) => void process.stdout.write(line) });
  if (startup.thread === 'main') for (const problem of problems) logger.log('ERROR', `invalid configuration: ${problem}`);
  if (config.disabled) return;
  const guard = createGuard(logger);
  const attribution = attributionInEffect(config.attribution, { managedInstances: config.managedInstances, runtimeApi: startup.runtimeApi });
  // The settings in effect, for a user checking theirs took (`invoke` falls back where it does not apply).
  if (logger.enabled('DEBUG')) logger.log('DEBUG', 'after-response extension started', { layerVersion: LAYER_VERSION, thread: startup.thread, ...config, attribution });
  const lifecycle = createLifecycle(config, logger, {
    // `invoke`: no AsyncLocalStorage (single-context.ts says why).
    context: attribution === 'invoke' ? createSingleContext() : new AlsContext(),
    defer: setImmediate, setTimer: unrefTimer,
    // Not `performance.now()`: the `performance` global loads perf_hooks on first use (~0.7 ms,
    // in the first invoke). process.uptime() reads the same monotonic clock (uv_hrtime).
    monoNow: () => process.uptime() * 1000,
    // The same synchronous stdout write as the logger's.
    writeMetrics: (line) => void process.stdout.write(line), functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    loadEmfWriter: () => loadReportingParts().createEmfWriter,
    // Installed at the first job or flusher, not at init: before it there is nothing to name, and a
    // cold start that has none saves its 0.9 / 0.6 M instructions (nodejs22.x / 24.x; and 0.4 M
    // more at exit: bench/init-micro.ts --instructions).
    onFirstWork: () => void guard('exit report', () => reportOnExit(lifecycle, config, startup)),
  });
  publishHost(lifecycle, guard);
  installRequestContexts({ kinds: config.requestContexts, global: globalThis, current: () => lifecycle.scopedInvoke(), marginMs: config.deadlineMarginMs, logger, guard });
  attributeServerRequests(process.getBuiltinModule('node:diagnostics_channel'), () => lifecycle.serverRequest(), guard);
  // Managed Instances: Lambda refuses INVOKE registration there (init would fail), nothing is
  // ever frozen, and handlers run on worker threads where process-wide calls (umask) throw.
  const registration = config.managedInstances ? undefined : startRegistration(startup.runtimeApi, lifecycle, logger, config.mallocTrim ? mallocTrim(logger) : undefined);
  if (config.managedInstances) lifecycle.runUnheld('managed-instances');
  if (!config.managedInstances) prepareSocket({ lifecycle, logger, env: process.env, pid: process.pid, graceMs: config.abortGraceMs, detach: (fn) => lifecycle.detach(fn), loadParts: loadSocketParts });
  observeRuntime(process as unknown as Parameters<typeof observeRuntime>[0], lifecycle, { guard, ...(registration ? { beforeFirstNext: registration } : {}) });
  observeStreamedResponses(process.getBuiltinModule('node:diagnostics_channel').subscribe, lifecycle, guard);
  // With the HTTP client, the runtime's `next` cannot be gated: register before it starts.
  if (process.env.AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1 === 'true') await registration;
}

/** Unfinished jobs are named when the process exits or is terminated (written synchronously). */
function reportOnExit(lifecycle: Lifecycle, config: Config, startup: Extract<Startup, { kind: 'run' }>): void {
  const { writeSync } = process.getBuiltinModule('node:fs');
  const logger = createLogger({ level: config.logLevel, write: (line) => void writeSync(1, line) });
  installExitReport({
    unfinished: () => lifecycle.unfinished(), handOffs: () => lifecycle.unfinishedHandOffs(), logger, source: process, signals: startup.thread === 'main' ? 'main-thread' : 'none',
    loadHandOff: () => loadReportingParts().handOffAtShutdown, taskFields,
  });
}

function publishHost(lifecycle: Lifecycle, guard: Guard): void {
  const registry: HostRegistry = { layerVersion: LAYER_VERSION, protocols: { [HOST_PROTOCOL]: createHost(lifecycle, guard) } };
  Object.defineProperty(globalThis, HOST_REGISTRY_KEY, { value: Object.freeze(registry), enumerable: false });
}

/** Registers and starts the loop (registration.ts); resolves (never rejects) once registration succeeded, failed or timed out. */
function startRegistration(runtimeApi: string | undefined, lifecycle: Lifecycle, logger: Logger, afterHold: ((outcome: unknown, requestId: string) => void) | undefined): Promise<void> {
  if (runtimeApi === undefined) {
    logger.log('WARN', 'AWS_LAMBDA_RUNTIME_API is not set (not on Lambda?): jobs run unheld, and flushers run when a job settles and no job started after it still runs (more than once when an earlier job outlives a later one), never without jobs (there are no invokes)');
    lifecycle.runUnheld('no-runtime-api');
    return Promise.resolve();
  }
  const api = new ExtensionsApi(createRawHttpTransport(process.getBuiltinModule('node:net').connect, runtimeApi));
  return register({ api, name: EXTENSION_NAME, lifecycle, logger, setTimer: unrefTimer, ...(afterHold ? { afterHold } : {}) });
}

/** Freed malloc memory given back now and then at a release (memory/malloc-trim.ts); the native module built beside this bundle per architecture. */
function mallocTrim(logger: Logger): (outcome: unknown, requestId: string) => void {
  return createMallocTrim({ load: () => requireLayerFile(`malloc-trim-${process.arch}.node`) as NativeTrim, logger, rss: process.memoryUsage.rss, monoNow: () => process.uptime() * 1000 });
}

/** The socket's server and spawn hook, built beside this bundle (build.sh): required at the first child or worker thread. */
function loadSocketParts(): SocketParts {
  return requireLayerFile('socket.cjs') as SocketParts;
}

/**
 * Tasks handed off at SIGTERM and the EMF lines (reporting/reporting-parts.ts), built beside this
 * bundle (build.sh): required at their first use, which most cold starts never reach. Throws an
 * error naming the file when it cannot load; its callers say so in one ERROR each.
 */
function loadReportingParts(): ReportingParts {
  return requireLayerFile('reporting.cjs') as ReportingParts;
}

/** A file built beside this bundle (build.sh), required synchronously; throws an error naming it (lazy-file.ts). */
function requireLayerFile(file: string): unknown {
  return requireBeside(process.getBuiltinModule('node:module').createRequire(import.meta.url), file);
}

function unrefTimer(run: () => void, ms: number): () => void {
  const timer = setTimeout(run, ms);
  timer.unref();
  // Bound, not an arrow: the deadline timer is cancelled and set again as invokes come, and a bound function is no code of its own for V8 to compile.
  return clearTimeout.bind(undefined, timer);
}

await main();
