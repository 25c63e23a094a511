/**
 * lambda-after-response: return the response at once, keep working afterwards.
 *
 * ```ts
 * import { enqueueAfterResponse } from 'lambda-after-response';
 * export const handler = async (event) => {
 *   enqueueAfterResponse(({ signal }) => postToSlack(event.response_url, signal), { name: 'slack-reply' });
 *   return { statusCode: 200, body: 'Working on it' };
 * };
 * ```
 * @packageDocumentation
 */
import { HOST_PROTOCOL, pickHostV1, readHostRegistry, type Flusher, type HostV1, type Job } from './host-interface.ts';
import { createLocalHost } from './local-host.ts';
import { createLogger, type Logger } from './log-line.ts';
import { noExtensionWarning } from './no-extension.ts';
import { createSocketHost, SOCKET_ENV } from './socket-host.ts';
import { TrailingFlush } from './trailing-flush.ts';
import { fromCaller, validateEnqueue, validateFlusher, type EnqueueOptions, type FlushOptions } from './validate.ts';

export type { Flusher, Job, JobContext } from './host-interface.ts';
export type { EnqueueOptions, FlushOptions } from './validate.ts';
export { createWaitUntil, namedWaitUntil, waitUntil, WAIT_UNTIL_JOB_NAME, type WaitUntil, type WaitUntilOptions } from './wait-until.ts';

/** A client bound to one global object; the module's functions use one bound to `globalThis`. */
export interface AfterResponseClient {
  enqueueAfterResponse(job: Job, options?: EnqueueOptions): void;
  drainAfterResponse(): Promise<void>;
  flushAfterResponse(flusher: Flusher, options?: FlushOptions): () => void;
}

export interface ClientOptions {
  /** Where the extension publishes its host. @default globalThis */
  readonly global?: object;
  /** @default JSON lines on stdout */
  readonly logger?: Logger;
  /** Read for `AFTER_RESPONSE_SOCKET` (a child process of the runtime). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Creates a client; exported for tests that inject a global object or a logger. */
export function createClient(options: ClientOptions = {}): AfterResponseClient {
  const global = options.global ?? globalThis;
  const logger = options.logger ?? createLogger({ write: (line) => void process.stdout.write(line) });
  // The extension publishes its host before any handler code runs, so one look-up is enough.
  let host: HostV1 | undefined;
  const resolveHost = (): HostV1 => (host ??= findHost(global, options.env ?? process.env, logger));
  // Flushers the host cannot run per invoke (see trailing-flush.ts); made on first use.
  let trailing: TrailingFlush | undefined;

  return {
    enqueueAfterResponse(job, options) {
      const valid = validateEnqueue(job, options);
      resolveHost().enqueue(trailing?.active ? trailing.wrap(valid.job) : valid.job, { name: valid.name });
    },
    drainAfterResponse: () => resolveHost().drain(),
    flushAfterResponse(flusher, options) {
      const valid = validateFlusher(flusher, options);
      const found = resolveHost();
      if (typeof found.addFlusher === 'function') return found.addFlusher(valid.flusher, { name: valid.name });
      const registry = trailing ? undefined : readHostRegistry(global);
      if (registry) {
        logger.log('WARN', `the layer's extension (version ${registry.layerVersion}) cannot run flushers per invoke: they run after the jobs of invokes that enqueued any, and not after invokes that enqueued none; upgrade the layer`, { flusher: valid.name });
      }
      trailing ??= new TrailingFlush(logger);
      return trailing.add(valid.flusher, valid.name);
    },
  };
}

/** The extension's host; else, in a child of the runtime, the socket; else in-process (says why). */
function findHost(global: object, env: Readonly<Record<string, string | undefined>>, logger: Logger): HostV1 {
  const registry = readHostRegistry(global);
  const host = registry && pickHostV1(registry);
  if (host) return host;
  const socketPath = env[SOCKET_ENV];
  if (!registry && socketPath) {
    const fallback = createLocalHost({ logger });
    return createSocketHost({ path: socketPath, logger, fallback: () => fallback });
  }
  if (registry) {
    const served = Object.keys(registry.protocols).join(', ');
    logger.log('ERROR', `the layer's extension (version ${registry.layerVersion}) serves protocol(s) ${served}, this client needs protocol ${HOST_PROTOCOL}: jobs run in-process and are NOT held; upgrade the layer or the lambda-after-response package so they match`);
  } else if (env.AFTER_RESPONSE_DISABLED?.trim().toLowerCase() === 'true') {
    logger.log('WARN', 'AFTER_RESPONSE_DISABLED=true turned the extension off: jobs run in-process and are not held, so Lambda may freeze them');
  } else {
    logger.log('WARN', noExtensionWarning(env));
  }
  return createLocalHost({ logger });
}

const defaultClient = createClient();

/**
 * Runs `job` after the response has been sent, while the layer keeps the environment awake.
 *
 * - A function is started after the runtime has posted the response, in FIFO order, with
 *   `{ signal, requestId, deadlineMs }`; `signal` aborts when the invoke's deadline nears.
 * - A promise is tracked from the moment it is passed (like `waitUntil`).
 *
 * Returns nothing to await. Errors of the job are caught and logged, never thrown.
 * @throws {TypeError} at once, when `job` or `options` is invalid.
 */
export function enqueueAfterResponse(job: Job, options?: EnqueueOptions): void {
  try {
    defaultClient.enqueueAfterResponse(job, options);
  } catch (error) {
    throw fromCaller(error, enqueueAfterResponse); // the TypeError's stack starts at the user's call
  }
}

/**
 * Registers `flusher` (typically at module top level) to run once per invoke, after that
 * invoke's response has been posted and its jobs have settled, before the environment may
 * freeze — also after invokes that enqueued nothing. It gets `{ signal, requestId, deadlineMs }`
 * and is bounded like a job (deadline margin, abort, grace); an error or overrun is logged by
 * name and never fails the invoke. Returns a function that unregisters it.
 *
 * Without the layer's extension in this process (no layer, a Node child process, or a layer that
 * predates flushers) it runs in-process after the jobs of invokes that enqueued any; with the
 * extension but no Runtime API (a local run) after each batch of jobs settles. Work it enqueues
 * runs but is never followed by another flush.
 * @throws {TypeError} at once, when `flusher` is not a function (or is a class) or `options` is invalid.
 */
export function flushAfterResponse(flusher: Flusher, options?: FlushOptions): () => void {
  try {
    return defaultClient.flushAfterResponse(flusher, options);
  } catch (error) {
    throw fromCaller(error, flushAfterResponse);
  }
}

/**
 * Resolves when every job enqueued so far (and every job they enqueue) has settled.
 * For tests and local runs; a handler on Lambda never needs it.
 */
export function drainAfterResponse(): Promise<void> {
  return defaultClient.drainAfterResponse();
}
