// createClient: a client bound to one global object (tests inject theirs), and the module's own one.
// Internal: the package exports the module's functions (index.ts), not this.
import { HOST_REGISTRY_KEY, pickHostV1, readHostRegistry, type Flusher, type HostV1, type Job } from '../shared/host-protocol.ts';
import { clientLogLevel } from '../shared/log-level.ts';
import { createLogger, type Logger } from '../shared/log-line.ts';
import { validateEnqueue, validateFlusher, type EnqueueOptions, type FlushOptions } from '../shared/validate.ts';
import { unloadedFallbacks } from './broken-host.ts';
import type { Fallbacks, FallbackParts } from './hosts/fallbacks.ts';
import { clientParts } from './parts.ts';
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
  /** Receives the client's own log lines (WARN when no extension is loaded, ERROR on a protocol mismatch). @default JSON lines on stdout, at the level of `AFTER_RESPONSE_LOG_LEVEL` (as the extension reads it), read at the first line */
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

/** Options of {@link buildClient}: {@link ClientOptions}, and how it loads its fallbacks (tests inject a failing loader). */
export interface BuildOptions extends ClientOptions {
  /** Loads client/hosts/fallbacks.ts at the client's first need of it; may throw. @default client/parts.ts's (the layer requires fallback.cjs) */
  readonly loadFallbacks?: () => FallbackParts;
}

/** {@link createClient}, with what the module's task API needs besides. */
export function buildClient(options: BuildOptions): BuiltClient {
  const global = options.global ?? globalThis;
  const env = options.env ?? process.env;
  const logger = options.logger ?? stdoutLogger(env);
  const load = options.loadFallbacks ?? clientParts.fallbacks;
  // The fallback hosts and flush (hosts/fallbacks.ts), made at the first need: with the extension's
  // host in this process a client never needs them, and the layer's client does not load their code.
  let fallbacks: Fallbacks | undefined;
  const needFallbacks = (): Fallbacks => (fallbacks ??= makeFallbacks(load, { global, env, logger }));
  const found: FoundHost = { registry: undefined, host: undefined };
  const resolveHost = hostLookup(global, found, needFallbacks);
  // A job is wrapped by the fallback flush only while the host in use cannot run flushers itself (the test kit's can).
  const wrap = (host: HostV1, job: Job): Job => (fallbacks ? fallbacks.wrap(host, job) : job);

  const taskHost = (): TaskHost => {
    const found = resolveHost();
    return {
      enqueue: (job, hostOptions) => found.enqueue(wrap(found, job), hostOptions),
      handsOff: found.handOff === true,
      currentDeadlineMs: () => (typeof found.currentDeadlineMs === 'function' ? found.currentDeadlineMs() : undefined),
      currentRequestId: () => (typeof found.currentRequestId === 'function' ? found.currentRequestId() : undefined),
    };
  };
  // The host's options for a job, one object reused for every job: a host reads them during the call and keeps nothing of
  // the object (HostV1.enqueue). A new one per job was 24 B per job on nodejs24.x (bench/alloc-sampling.ts; nodejs22.x optimized it away).
  const hostOptions: { name: string } = { name: '' };
  const client: AfterResponseClient = {
    enqueueAfterResponse(job, options) {
      // The lookup's fast path and `wrap` written out: this runs per job, and each function on that
      // path is one more for V8 to compile in the burst when the jobs become hot (bench/gc-trace.ts --compiles).
      const name = validateEnqueue(job, options);
      const registry: unknown = Reflect.get(global, HOST_REGISTRY_KEY);
      const host = found.host !== undefined && found.registry === registry ? found.host : resolveHost();
      hostOptions.name = name;
      host.enqueue(fallbacks ? fallbacks.wrap(host, job) : job, hostOptions);
    },
    drainAfterResponse: () => resolveHost().drain(),
    flushAfterResponse(flusher, options) {
      const valid = validateFlusher(flusher, options);
      const host = resolveHost();
      if (typeof host.addFlusher === 'function') return host.addFlusher(valid.flusher, { name: valid.name });
      return needFallbacks().addFlusher(valid, host);
    },
  };
  return { client, taskHost, logger };
}

/** The fallbacks, or, when their code cannot be loaded, what names each job and flusher it cannot run (broken-host.ts). */
function makeFallbacks(load: () => FallbackParts, options: { readonly global: object; readonly env: Readonly<Record<string, string | undefined>>; readonly logger: Logger }): Fallbacks {
  try {
    return load().createFallbacks(options);
  } catch (error) {
    return unloadedFallbacks(error, options.logger);
  }
}

/**
 * The host in use, looked up again only when the registry object changed (one property read per
 * call): the extension publishes its host before any handler code runs and never changes it; the
 * test kit (lambda-after-response/testing) publishes one for the length of each invoke and
 * restores what was there after. Without a usable one, the fallbacks' (made once).
 */
function hostLookup(global: object, found: FoundHost, fallbacks: () => Fallbacks): () => HostV1 {
  return () => {
    const registry: unknown = Reflect.get(global, HOST_REGISTRY_KEY);
    if (found.host === undefined || found.registry !== registry) {
      const readable = readHostRegistry(global);
      found.host = (readable && pickHostV1(readable)) || fallbacks().host(readable);
      found.registry = registry;
    }
    return found.host;
  };
}

/** The host last looked up ({@link hostLookup}), and the registry object it was found in; no host before the first lookup. */
interface FoundHost {
  registry: unknown;
  host: HostV1 | undefined;
}

/**
 * The default logger (JSON lines on stdout), made at its first use, with the level the environment
 * gives then: a client with the extension's host never logs, and making it at import cost the layer
 * entry's import 0.33 M instructions on nodejs22.x (bench/resolve-hook-micro.ts).
 */
function stdoutLogger(env: Readonly<Record<string, string | undefined>>): Logger {
  let made: Logger | undefined;
  const logger = (): Logger => (made ??= createLogger({ level: clientLogLevel(env), write: (line) => void process.stdout.write(line) }));
  return { enabled: (level) => logger().enabled(level), log: (level, message, fields) => logger().log(level, message, fields) };
}

let built: BuiltClient | undefined;

/**
 * The client the module's functions use (bound to `globalThis`), with its task host and logger,
 * built at the first call of any of them, not at import: building it cost the layer entry's
 * import 0.32 M instructions on nodejs22.x (bench/resolve-hook-micro.ts). Its host is looked up
 * at each call either way (hostLookup), so a host published after import is found as before.
 */
export function defaultBuild(): BuiltClient {
  return (built ??= buildClient({}));
}

/** The client the module's functions use, built at its first call (defaultBuild). */
export const defaultClient: AfterResponseClient = {
  enqueueAfterResponse: (job, options) => defaultBuild().client.enqueueAfterResponse(job, options),
  drainAfterResponse: () => defaultBuild().client.drainAfterResponse(),
  flushAfterResponse: (flusher, options) => defaultBuild().client.flushAfterResponse(flusher, options),
};
