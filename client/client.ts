// createClient: a client bound to one global object (tests inject theirs), and the module's own one.
// Internal: the package exports the module's functions (index.ts), not this.
import { HOST_REGISTRY_KEY, pickHostV1, readHostRegistry, testKitLoaded, WAITING_FLUSHERS_KEY, type Flusher, type HostV1, type Job, type JobContext, type WaitingFlusher } from '../shared/host-protocol.ts';
import { clientLogLevel } from '../shared/log-level.ts';
import { createLogger, type Logger } from '../shared/log-line.ts';
import { isMainThread } from '../shared/main-thread.ts';
import { validateEnqueue, validateFlusher, type EnqueueOptions, type FlushOptions } from '../shared/validate.ts';
import { createLocalHost, localJobContext } from './hosts/local-host.ts';
import { createSocketHost, SOCKET_ENV } from './hosts/socket-host.ts';
import { TrailingFlush } from './hosts/trailing-flush.ts';
import { unheldWarning } from './hosts/unheld-warning.ts';
import type { TaskHost } from './tasks/types.ts';

/**
 * A client bound to one global object; the module's functions use one bound to `globalThis`.
 * Each method behaves as the module function of the same name.
 */
export interface AfterResponseClient {
  /** As {@link index!enqueueAfterResponse | enqueueAfterResponse}. */
  enqueueAfterResponse(job: Job, options?: EnqueueOptions): void;
  /** As {@link index!drainAfterResponse | drainAfterResponse}. */
  drainAfterResponse(): Promise<void>;
  /** As {@link index!flushAfterResponse | flushAfterResponse}. */
  flushAfterResponse(flusher: Flusher, options?: FlushOptions): () => void;
}

/**
 * Options of {@link createClient}: what a test injects instead of the process's globals.
 */
export interface ClientOptions {
  /** Where the extension publishes its host (a fake host in tests). @default globalThis */
  readonly global?: object;
  /** Receives the client's own log lines (WARN when no extension is loaded, ERROR on a protocol mismatch). @default JSON lines on stdout, at the level of `AFTER_RESPONSE_LOG_LEVEL` (as the extension reads it) */
  readonly logger?: Logger;
  /** Read for `AFTER_RESPONSE_SOCKET` (set in a child process of the runtime), `AFTER_RESPONSE_DISABLED` and the log level. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates a client; exported for tests that inject a global object or a logger. Functions use
 * the module's {@link enqueueAfterResponse} and friends instead.
 * @example
 * ```ts
 * const host = { layerVersion: 'test', protocols: { 1: { enqueue, drain } } };
 * const client = createClient({ global: { [Symbol.for('lambda-after-response.host')]: host } });
 * client.enqueueAfterResponse(() => sendReceipt(order), { name: 'receipt' });
 * ```
 */
export function createClient(options: ClientOptions = {}): AfterResponseClient {
  return buildClient(options).client;
}

/** A client, the host view its tasks use (the same host, so tasks and jobs share one invoke), and its logger. */
export interface BuiltClient {
  readonly client: AfterResponseClient;
  readonly taskHost: () => TaskHost;
  readonly logger: Logger;
}

/** {@link createClient}, with what the module's task API needs besides. */
export function buildClient(options: ClientOptions): BuiltClient {
  const global = options.global ?? globalThis;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: clientLogLevel(env), write: (line) => void process.stdout.write(line) });
  const resolve = hostLookup(global, env, logger);
  const resolveHost = (): HostV1 => resolve().host;
  // Flushers the host cannot run per invoke (see trailing-flush.ts); made on first use. A job is
  // wrapped by them only while the host in use cannot run flushers itself (the test kit's can).
  const fallback: FallbackFlush = {};
  const wrap = (host: HostV1, job: Job): Job => (fallback.trailing?.active && typeof host.addFlusher !== 'function' ? fallback.trailing.wrap(job) : job);

  const taskHost = (): TaskHost => {
    const found = resolveHost();
    return {
      enqueue: (job, hostOptions) => found.enqueue(wrap(found, job), hostOptions),
      handsOff: found.handOff === true,
      currentDeadlineMs: () => (typeof found.currentDeadlineMs === 'function' ? found.currentDeadlineMs() : undefined),
      currentRequestId: () => (typeof found.currentRequestId === 'function' ? found.currentRequestId() : undefined),
    };
  };
  const client: AfterResponseClient = {
    enqueueAfterResponse(job, options) {
      const name = validateEnqueue(job, options);
      const host = resolveHost();
      host.enqueue(wrap(host, job), { name });
    },
    drainAfterResponse: () => resolveHost().drain(),
    flushAfterResponse(flusher, options) {
      const valid = validateFlusher(flusher, options);
      const { host, promiseContext } = resolve();
      if (typeof host.addFlusher === 'function') return host.addFlusher(valid.flusher, { name: valid.name });
      return addFallbackFlusher(fallback, valid, { global, logger, promiseContext });
    },
  };
  return { client, taskHost, logger };
}

/**
 * The host in use, looked up again only when the registry object changed (one property read per
 * call): the extension publishes its host before any handler code runs and never changes it; the
 * test kit (lambda-after-response/testing) publishes one for the length of each invoke and
 * restores what was there after. The in-process fallback is made once.
 */
function hostLookup(global: object, env: Readonly<Record<string, string | undefined>>, logger: Logger): () => FoundHost {
  let found: { readonly registry: unknown; readonly host: FoundHost } | undefined;
  const fallbacks: Fallbacks = {};
  return () => {
    const registry: unknown = Reflect.get(global, HOST_REGISTRY_KEY);
    if (found === undefined || found.registry !== registry) found = { registry, host: findHost(global, env, logger, fallbacks) };
    return found.host;
  };
}

/** The flushers the host cannot run per invoke (see trailing-flush.ts); made on first use. */
interface FallbackFlush {
  trailing?: TrailingFlush;
}

/** Adds a flusher the host cannot run: it follows the jobs (trailing-flush.ts) and waits for a host published later. */
function addFallbackFlusher(fallback: FallbackFlush, { flusher, name }: { readonly flusher: Flusher; readonly name: string }, { global, logger, promiseContext }: { readonly global: object; readonly logger: Logger; readonly promiseContext: () => JobContext }): () => void {
  const registry = fallback.trailing ? undefined : readHostRegistry(global);
  if (registry) {
    logger.log('WARN', `the layer's extension (version ${registry.layerVersion}) cannot run flushers per invoke: they run after the jobs of invokes that enqueued any, and not after invokes that enqueued none; upgrade the layer`, { flusher: name });
  }
  fallback.trailing ??= new TrailingFlush({ logger, promiseContext: promiseContext() });
  const removeTrailing = fallback.trailing.add(flusher, name);
  if (registry) return removeTrailing;
  const removeWaiting = waitFor(global, { run: flusher, name });
  return () => {
    removeTrailing();
    removeWaiting();
  };
}

/** A host, and the context a fallback flush gets after a promise job (see trailing-flush.ts). */
interface FoundHost {
  readonly host: HostV1;
  /** Made only when a fallback flusher is added. */
  readonly promiseContext: () => JobContext;
}

/** Lists a flusher for a host published later (see {@link WAITING_FLUSHERS_KEY}); returns what removes it. */
function waitFor(global: object, flusher: WaitingFlusher): () => void {
  let waiting: unknown = Reflect.get(global, WAITING_FLUSHERS_KEY);
  if (!(waiting instanceof Set)) {
    waiting = new Set<WaitingFlusher>();
    Object.defineProperty(global, WAITING_FLUSHERS_KEY, { value: waiting, enumerable: false, configurable: true });
  }
  const set = waiting as Set<WaitingFlusher>;
  set.add(flusher);
  return () => void set.delete(flusher);
}

/** The hosts a client falls back to, each made (and its warning logged) once. */
interface Fallbacks {
  socket?: FoundHost;
  local?: FoundHost;
}

/** The extension's host; else, in a child of the runtime, the socket; else in-process (says why, once). */
function findHost(global: object, env: Readonly<Record<string, string | undefined>>, logger: Logger, fallbacks: Fallbacks): FoundHost {
  const registry = readHostRegistry(global);
  const host = registry && pickHostV1(registry);
  if (host) return { host, promiseContext: unknownContext };
  const socketPath = env[SOCKET_ENV];
  if (!registry && socketPath) {
    const fallback = createLocalHost({ logger });
    return (fallbacks.socket ??= { host: createSocketHost({ path: socketPath, logger, fallback: () => fallback }), promiseContext: unknownContext });
  }
  if (registry || !fallbacks.local) {
    const { level, message } = unheldWarning({ registry, env, mainThread: isMainThread(process), testKit: testKitLoaded(global) });
    logger.log(level, message);
  }
  return (fallbacks.local ??= { host: createLocalHost({ logger }), promiseContext: localJobContext });
}

/** What a flush gets after a promise job whose invoke the client cannot know. */
function unknownContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'unknown', deadlineMs: Number.POSITIVE_INFINITY };
}

/** The client the module's functions use (bound to `globalThis`), with its task host and logger. */
export const defaultBuild: BuiltClient = buildClient({});
/** The client the module's functions use. */
export const defaultClient: AfterResponseClient = defaultBuild.client;
