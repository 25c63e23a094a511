/**
 * The one surface shared by the client and the extension: a versioned host object
 * published on `globalThis`. A client bundled into a function and the layer's extension
 * may come from different releases, so they meet only here, never through module state.
 */

/** Where the extension publishes its {@link HostRegistry}. `Symbol.for` so every copy of the client finds it. */
export const HOST_REGISTRY_KEY: unique symbol = Symbol.for('lambda-after-response.host') as never;

/** The protocol this client speaks. Bump only for incompatible changes; keep serving older ones. */
export const HOST_PROTOCOL = 1;

/**
 * What a job function (and a flusher) receives.
 * @example
 * ```ts
 * enqueueAfterResponse(async ({ signal, requestId, deadlineMs }) => {
 *   console.log(`${requestId}: ${deadlineMs - Date.now()} ms left`);
 *   await fetch(url, { method: 'POST', body, signal }); // stops when the deadline nears
 * });
 * ```
 */
export interface JobContext {
  /**
   * Aborts at the invoke's deadline minus `AFTER_RESPONSE_DEADLINE_MARGIN_MS` (500 ms by
   * default); the job then has `AFTER_RESPONSE_ABORT_GRACE_MS` (250 ms) to stop before it is
   * abandoned. Pass it to `fetch` and the AWS SDK. Its `reason` is a `DOMException` named
   * `TimeoutError`, whose message says the invoke's deadline is near.
   *
   * A job that rejects with that reason (what `fetch(url, { signal })` does when aborted) has
   * settled: it counts as **failed**, not abandoned, and is logged as `job failed` with
   * `errorType: "TimeoutError"`, so a `JobsAbandoned` alarm misses it; alarm on `JobsFailed`
   * too. To finish cleanly, catch the abort, tell the user what was cut short, and resolve:
   * `catch (error) { if (!signal.aborted) throw error; await notifyUser('not finished in time'); }`.
   * A task's run (`defineTask`) that settles after the abort, resolving or rejecting, is sent to
   * its queue as its next attempt: its work is not known to be done.
   */
  readonly signal: AbortSignal;
  /**
   * The request id of the invoke the job belongs to. Where there is none: `'local'` (no
   * extension in the process: the job runs in-process), `'unknown'` (a child process's job that
   * does not belong to an invoke yet), `'-'` (enqueued outside any invoke on Managed Instances). The extension preloaded where no Runtime API exists (a local run) runs its jobs under `'local'` too.
   */
  readonly requestId: string;
  /** The invoke's deadline, epoch milliseconds; `Infinity` where there is no invoke (as above). */
  readonly deadlineMs: number;
}

/** A job: a function started after the response is posted, or a promise tracked at once. */
export type Job = ((context: JobContext) => unknown) | PromiseLike<unknown>;

/**
 * Why a host hands a job off: it never started before the deadline's abort, it was still running
 * when the grace ended, or the runtime is shutting down (SIGTERM).
 */
export type HandOffReason = 'never-started' | 'abandoned' | 'shutdown';

/** Options as the host receives them, already validated by the client. */
export interface HostJobOptions {
  readonly name: string;
  /**
   * Optional (served by layers with task support, see {@link HostV1.handOff}; earlier pre-release builds lack it): called by the host when the
   * job cannot finish in its invoke — `never-started` at the abort, `abandoned` when the grace
   * ends, `shutdown` at SIGTERM. The host waits for the promise before the release (bounded by
   * the deadline minus a safety, or the shutdown window); it resolves when the job was passed
   * on (a task sent to its queue) and rejects when it is lost. Called at most once per reason.
   */
  readonly handOff?: (reason: HandOffReason) => Promise<void>;
  /**
   * Optional (layers with task support): the task this job runs — its `taskId` and the `attempt`
   * this run is — named in the host's hand-off log lines next to the job's name.
   */
  readonly task?: { readonly taskId: string; readonly attempt: number };
}

/**
 * A flusher: run once per invoke after its response was posted and its jobs settled, before the
 * release. Gets the same context as a job function.
 */
export type Flusher = (context: JobContext) => unknown;

/** Protocol 1: what a host offers. */
export interface HostV1 {
  /**
   * Takes a validated job; never throws for a valid one, never returns anything to await. Reads
   * `options` during the call and keeps nothing of the object: the client passes one object for
   * every job, its fields set anew (no object per job).
   */
  enqueue(job: Job, options: HostJobOptions): void;
  /** Resolves when every job known to the host has settled (used by tests and local runs). */
  drain(): Promise<void>;
  /**
   * Optional (served from layer 0.1.0; earlier pre-release builds lack it): registers a validated
   * flusher; returns its unregister function. A client finding no such method on an older layer
   * falls back (see client/index.ts).
   */
  addFlusher?(flusher: Flusher, options: HostJobOptions): () => void;
  /**
   * Optional (layers with task support): `true` when this host calls {@link HostJobOptions.handOff}. A client
   * finding it absent passes jobs on itself when their signal aborts (tasks: client/tasks/).
   */
  readonly handOff?: true;
  /** Optional (layers with task support): the deadline (epoch ms) of the invoke the caller runs in, if any. */
  currentDeadlineMs?(): number | undefined;
  /** Optional (layers with task support): the request id of the invoke the caller runs in, if any (tasks name it in their log lines). */
  currentRequestId?(): string | undefined;
}

/** The object at {@link HOST_REGISTRY_KEY}: every protocol the host serves, by number. */
export interface HostRegistry {
  readonly layerVersion: string;
  readonly protocols: Readonly<Record<number, HostV1 | undefined>>;
}

/**
 * Where a client lists the flushers registered while no host could run them per invoke (no layer
 * when the module registered them): a host published later — the test kit,
 * `lambda-after-response/testing`, publishes one per invoke — runs them. `Symbol.for` so every copy
 * of the client and the kit find it. Made only by a client that registered a flusher without a layer.
 */
export const WAITING_FLUSHERS_KEY: unique symbol = Symbol.for('lambda-after-response.waiting-flushers') as never;

/**
 * Set (to `true`) by the test kit, `lambda-after-response/testing`, when it is imported: a client
 * that finds no host then says that the kit runs its flushers per invoke, at DEBUG, instead of
 * warning that no extension is loaded. `Symbol.for`: the kit's bundle and the client's share it.
 */
export const TEST_KIT_KEY: unique symbol = Symbol.for('lambda-after-response.test-kit') as never;

/** Whether the test kit was imported in this global object's realm (see {@link TEST_KIT_KEY}). */
export function testKitLoaded(global: object): boolean {
  return Reflect.get(global, TEST_KIT_KEY) === true;
}

/** One flusher in the {@link WAITING_FLUSHERS_KEY} set; removed from it when unregistered. */
export interface WaitingFlusher {
  readonly run: Flusher;
  readonly name: string;
}

/** The waiting flushers of a global object (empty when none), narrowing from `unknown`. */
export function readWaitingFlushers(global: object): readonly WaitingFlusher[] {
  const value: unknown = Reflect.get(global, WAITING_FLUSHERS_KEY);
  return value instanceof Set ? [...(value as Set<WaitingFlusher>)] : [];
}

/** Reads the registry from a global object, narrowing from `unknown`. */
export function readHostRegistry(global: object): HostRegistry | undefined {
  const value: unknown = Reflect.get(global, HOST_REGISTRY_KEY);
  if (typeof value !== 'object' || value === null) return undefined;
  const protocols: unknown = Reflect.get(value, 'protocols');
  const layerVersion: unknown = Reflect.get(value, 'layerVersion');
  if (typeof protocols !== 'object' || protocols === null) return undefined;
  return { layerVersion: String(layerVersion), protocols: protocols as HostRegistry['protocols'] };
}

/** Finds a usable protocol-1 host in a registry, if any. */
export function pickHostV1(registry: HostRegistry): HostV1 | undefined {
  const host: unknown = registry.protocols[HOST_PROTOCOL];
  if (typeof host !== 'object' || host === null) return undefined;
  const enqueue: unknown = Reflect.get(host, 'enqueue');
  const drain: unknown = Reflect.get(host, 'drain');
  return typeof enqueue === 'function' && typeof drain === 'function' ? (host as HostV1) : undefined;
}
