/**
 * The internal extension, loaded into the runtime process with `--import` (see layer/after-response).
 * Registers for INVOKE before the runtime's first `next` (which waits for it), publishes the
 * host that clients enqueue into, and holds each invoke until its jobs settle.
 */
import { HOST_PROTOCOL, HOST_REGISTRY_KEY, type HostRegistry, type HostV1 } from '../client/host-interface.ts';
import { createLogger, describeError, type Logger } from '../client/log-line.ts';
import { parseConfig, type Config } from './config.ts';
import { runExtensionLoop, type LoopOutcome } from './extension-loop.ts';
import { ExtensionsApi } from './extensions-api.ts';
import { createRawHttpTransport } from './raw-http.ts';
import { InvokeTracker } from './invoke-tracker.ts';
import diagnostics from 'node:diagnostics_channel';
import { observeRuntime, observeStreamedResponses, type ResponseHow } from './runtime-observer.ts';
import { decideStartup } from './startup.ts';
import { prepareSocket } from './socket/start-socket.ts';

declare const LAYER_VERSION: string;
const EXTENSION_NAME = 'lambda-after-response';

async function main(): Promise<void> {
  const startup = decideStartup(process.env, process.pid);
  if (startup.kind === 'skip') return;
  process.env.AFTER_RESPONSE_EXTENSION_PID = String(process.pid);
  const { config, problems } = parseConfig(process.env);
  const logger = createLogger({ level: config.logLevel, write: (line) => void process.stdout.write(line) });
  for (const problem of problems) logger.log('ERROR', `invalid configuration: ${problem}`);
  if (config.disabled) return;
  const tracker = createTracker(config, logger);
  const events = {
    runtimeNext: () => {
      tracker.runtimeNext();
      socket.startSoon();
    },
    invokeStarted: (id: string, deadline: number) => tracker.invokeStarted(id, deadline),
    responsePosted: (id: string, how: ResponseHow) => tracker.responsePosted(id, how),
    observed: () => void (tracker.observed = true),
  };
  // Lambda rejects INVOKE registration in Managed Instances mode, which would fail init.
  const registration = config.managedInstances ? undefined : register(startup.runtimeApi, tracker, logger);
  observeRuntime(process as unknown as Parameters<typeof observeRuntime>[0], events, registration ? { beforeFirstNext: registration } : {});
  observeStreamedResponses(diagnostics.subscribe, events);
  publishHost({ enqueue: (job, { name }) => tracker.enqueue(job, name), drain: () => tracker.drain() });
  // Hooks spawning at the runtime's first `next`, off the init path; at the latest 1 s from now.
  const socket = prepareSocket({ tracker, logger, env: process.env, pid: process.pid, marginMs: config.deadlineMarginMs });
  setTimeout(() => socket.startSoon(), registration && startup.runtimeApi !== undefined ? 1000 : 0).unref();
  // With the HTTP client, the runtime's `next` cannot be gated: register before it starts.
  if (process.env.AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1 === 'true') await registration;
}

function createTracker(config: Config, logger: Logger): InvokeTracker {
  const setTimer = (run: () => void, ms: number): (() => void) => {
    const timer = setTimeout(run, ms);
    timer.unref();
    return () => clearTimeout(timer);
  };
  return new InvokeTracker({
    concurrency: config.concurrency, marginMs: config.deadlineMarginMs, fallbackIdleMs: config.fallbackIdleMs,
    logger, setTimer, now: () => performance.timeOrigin + performance.now(),
    ...(config.managedInstances ? { contextRequestId: invokeStoreRequestId } : {}),
  });
}

/** Managed Instances run invokes concurrently; RIC 4 keeps each one's request id in an AsyncLocalStorage. */
function invokeStoreRequestId(): string | undefined {
  const store: unknown = Reflect.get(Reflect.get(globalThis, 'awslambda') ?? {}, 'InvokeStore');
  const get: unknown = typeof store === 'object' && store !== null ? Reflect.get(store, 'getRequestId') : undefined;
  const id: unknown = typeof get === 'function' ? get.call(store) : undefined;
  return typeof id === 'string' && id !== '-' ? id : undefined;
}

function publishHost(host: HostV1): void {
  const registry: HostRegistry = { layerVersion: LAYER_VERSION, protocols: { [HOST_PROTOCOL]: host } };
  Object.defineProperty(globalThis, HOST_REGISTRY_KEY, { value: Object.freeze(registry), enumerable: false });
}

/** Registers and starts the loop; resolves (never rejects) once registration succeeded or failed. */
async function register(runtimeApi: string | undefined, tracker: InvokeTracker, logger: Logger): Promise<void> {
  if (runtimeApi === undefined) {
    logger.log('WARN', 'AWS_LAMBDA_RUNTIME_API is not set (not on Lambda?): jobs run unheld');
    return;
  }
  // Not `import()`: an ESM import of a builtin builds its namespace (node:http's loads http2:
  // +40-60 ms, +10 MB at init). node:net is loaded by both runtime clients anyway.
  const net = process.getBuiltinModule('node:net');
  const api = new ExtensionsApi(createRawHttpTransport(net.connect, runtimeApi));
  let id: string;
  try {
    id = await api.register(EXTENSION_NAME);
  } catch (error) {
    // Never fail the function's init over this: it still answers, only jobs go unheld.
    logger.log('ERROR', 'registration with the Extensions API failed: jobs run unheld and may be frozen', describeError(error));
    return;
  }
  tracker.held = true;
  void runExtensionLoop({ api, id, tracker, logger }).then((outcome) => stopped(outcome, tracker, logger));
}

function stopped(outcome: LoopOutcome, tracker: InvokeTracker, logger: Logger): void {
  tracker.stopHolding();
  const fields = outcome.kind === 'failed' ? describeError(outcome.error) : { ...outcome };
  logger.log(outcome.kind === 'failed' ? 'ERROR' : 'WARN', `extension loop stopped (${outcome.kind}): jobs run unheld from now on`, fields);
}

await main();
