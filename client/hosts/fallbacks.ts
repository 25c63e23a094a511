/**
 * What a client needs only where the layer's extension does not run its jobs in this process (no
 * layer, `AFTER_RESPONSE_DISABLED=true`, a Node child process or worker thread, a layer too old
 * for this client) or cannot run its flushers: the in-process and socket hosts and the trailing
 * flush. The layer builds this file on its own (lambda-after-response/fallback.cjs) and the client
 * requires it at its first need (client/parts.ts); the npm package bundles it. Holds no state of
 * its own: each client keeps what {@link createFallbacks} makes, so two copies of the client in one
 * process (ESM and CommonJS entries) sharing this module share nothing through it.
 */
import { readHostRegistry, testKitLoaded, WAITING_FLUSHERS_KEY, type Flusher, type HostRegistry, type HostV1, type Job, type JobContext, type WaitingFlusher } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import { isMainThread } from '../../shared/main-thread.ts';
import { createLocalHost, localJobContext } from './local-host.ts';
import { createSocketHost, SOCKET_ENV } from './socket-host.ts';
import { TrailingFlush } from './trailing-flush.ts';
import { unheldWarning } from './unheld-warning.ts';

/** What a client passes in: its global object, environment and logger. */
export interface FallbackOptions {
  readonly global: object;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

/** One client's fallbacks, each host made (and its warning logged) once. */
export interface Fallbacks {
  /** The host when `registry` offers no usable one: in a child of the runtime the socket, else in-process (says why, once per reason). */
  host(registry: HostRegistry | undefined): HostV1;
  /** Adds a flusher `host` cannot run (it has no `addFlusher`): it follows the jobs (trailing-flush.ts) and waits for a host published later. */
  addFlusher(valid: { readonly flusher: Flusher; readonly name: string }, host: HostV1): () => void;
  /** `job`, wrapped to be followed by the flushers added here while `host` cannot run flushers itself. */
  wrap(host: HostV1, job: Job): Job;
}

/** The module's shape, for the loader client/parts.ts is given. */
export interface FallbackParts {
  readonly createFallbacks: typeof createFallbacks;
}

/** A client's fallbacks; made at its first need (client/client.ts). */
export function createFallbacks(options: FallbackOptions): Fallbacks {
  const { global, env, logger } = options;
  let socket: HostV1 | undefined;
  let local: HostV1 | undefined;
  let trailing: TrailingFlush | undefined;
  const host = (registry: HostRegistry | undefined): HostV1 => {
    const socketPath = env[SOCKET_ENV];
    if (!registry && socketPath) {
      const fallback = createLocalHost({ logger });
      return (socket ??= createSocketHost({ path: socketPath, logger, fallback: () => fallback }));
    }
    if (registry || !local) {
      const { level, message } = unheldWarning({ registry, env, mainThread: isMainThread(process), testKit: testKitLoaded(global) });
      logger.log(level, message);
    }
    return (local ??= createLocalHost({ logger }));
  };
  const addFlusher = ({ flusher, name }: { readonly flusher: Flusher; readonly name: string }, used: HostV1): () => void => {
    const registry = trailing ? undefined : readHostRegistry(global);
    if (registry) {
      logger.log('WARN', `the layer's extension (version ${registry.layerVersion}) cannot run flushers per invoke: they run after the jobs of invokes that enqueued any, and not after invokes that enqueued none; upgrade the layer`, { flusher: name });
    }
    trailing ??= new TrailingFlush({ logger, promiseContext: used === local ? localJobContext() : unknownContext() });
    const removeTrailing = trailing.add(flusher, name);
    if (registry) return removeTrailing;
    const removeWaiting = waitFor(global, { run: flusher, name });
    return () => {
      removeTrailing();
      removeWaiting();
    };
  };
  const wrap = (used: HostV1, job: Job): Job => (trailing?.active && typeof used.addFlusher !== 'function' ? trailing.wrap(job) : job);
  return { host, addFlusher, wrap };
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

/** What a flush gets after a promise job whose invoke the client cannot know. */
function unknownContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'unknown', deadlineMs: Number.POSITIVE_INFINITY };
}
