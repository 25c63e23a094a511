/**
 * The shapes `invokeHandler` takes and returns. The names are a contract: users' tests read them.
 */

/** A thrown value described the way Lambda's error JSON does (`errorType`, `errorMessage`, `stackTrace`). */
export interface DescribedError {
  readonly errorType: string;
  readonly errorMessage: string;
  /** Stack frames, most recent first, without the kit's and the layer's (the handler's and the jobs' callers); empty for a thrown non-error. */
  readonly stackTrace: readonly string[];
}

/**
 * How a job's story ended by the release: settled either way, still running (`abandoned`: frozen
 * with the environment), never run (`never-started`: the deadline, or the handler's timeout,
 * came before the layer started it; the layer's hand-off reason for a task uses the same word),
 * or never held (`unheld`: the handler itself enqueued it after its invoke stopped holding —
 * past `deadline − margin + grace`, or in an invoke that started with no grace left — so it runs
 * at once, unheld, and on Lambda may freeze mid-run; the layer's `job enqueued after its invoke
 * was released` WARN with `handlerRunning: true`, what `npm run invoke` fails as "not held").
 */
export type JobOutcome = 'succeeded' | 'failed' | 'abandoned' | 'never-started' | 'unheld';

/**
 * What was handed to the layer: a job function (`job`), a promise (`promise`), a flusher run
 * (`flusher`, once per invoke that ran it), or a task (`task`: a job with a hand-off to its queue).
 */
export type JobKind = 'job' | 'promise' | 'flusher' | 'task';

/** One job of the invoke, by the name it was enqueued under. */
export interface JobRecord {
  readonly name: string;
  readonly kind: JobKind;
  readonly outcome: JobOutcome;
  /** What it threw or rejected with, described; only for `failed`, and for `unheld` when it failed by the release. */
  readonly error?: DescribedError;
  /**
   * A task's hand-off to its queue, when the layer called it: `never-started` (dropped at the
   * deadline's abort), `abandoned` (still running when the grace ended) or `shutdown`; `sent` once
   * the task client passed it on, `lost` when it could not (no queue configured, the send failed:
   * `error`). A hand-off still in flight at the release counts as `lost` (the release does not wait
   * past the deadline's safety margin).
   */
  readonly handOff?: { readonly reason: 'never-started' | 'abandoned' | 'shutdown'; readonly outcome: 'sent' | 'lost'; readonly error?: DescribedError };
  /**
   * Milliseconds from its start (a promise: from its enqueue) to its settling; for `abandoned`,
   * to the release; 0 for `never-started`; for `unheld`, to its settling or the release, whichever
   * came first (0 if it had not started by the release).
   */
  readonly durationMs: number;
}

/**
 * Work still pending at the freeze that nothing held: on Lambda it freezes with the environment
 * and resumes (or times out, or is lost) at a later invoke, if any.
 */
export interface FrozenWork {
  /**
   * The async resource type as Node's `async_hooks` names it: `Timeout`, `Immediate`, `TCPWRAP`,
   * `TCPCONNECTWRAP`, `GETADDRINFOREQWRAP`, `FSREQCALLBACK`, `PROCESSWRAP`, …; for an HTTP request
   * in flight (seen through `node:diagnostics_channel`, whichever socket it rides, a kept-alive one
   * included): `FETCH` (Node's `fetch`, undici) until its body is fully received or it failed,
   * `HTTPCLIENTREQUEST` (`node:http`) until its response ended or it was destroyed. Such a request
   * is not reported again as its socket's `TCPWRAP`.
   */
  readonly type: string;
  /**
   * Where it was created, then, section by section, where the callback that created it was set
   * up, back through the async chain until the function's own code (a frame outside
   * `node_modules`, Node's internals and this layer). Sections are separated by a line
   * `--- <TYPE> ---` naming the async resource whose callback ran the section above.
   */
  readonly stack: string;
}

/** Frozen work of an earlier invoke on the same handler that ran during this one (see {@link InvokeOptions.thaw}). */
export interface ThawedWork extends FrozenWork {
  /** The request id of the invoke that left it frozen. */
  readonly requestId: string;
}

/** What one `invokeHandler` call observed; `R` is the response's type (`unknown` when not given: `const result: InvokeResult = await invokeHandler(…)`). */
export interface InvokeResult<R = unknown> {
  /** The request id of this invoke (also `context.awsRequestId`). */
  readonly requestId: string;
  /** What the handler returned (or passed to its callback); `undefined` when it threw or timed out. */
  readonly response: R | undefined;
  /** What the handler threw or rejected with, described; `Sandbox.Timedout` when it did not respond before the timeout. */
  readonly error?: DescribedError;
  /** Milliseconds from the invoke's start to its response (to the timeout, when it never responded). */
  readonly responseMs: number;
  /** Milliseconds from the invoke's start to the release: the moment Lambda could freeze the environment (after held jobs and flushers). */
  readonly releasedMs: number;
  /** Why the layer released: every job settled (`settled`), the deadline came (`deadline`), or the function timed out (`timeout`: Lambda resets the environment). */
  readonly releaseReason: 'settled' | 'deadline' | 'timeout';
  /** Every job, promise, flusher run and task handed to the layer during this invoke, in enqueue order (also those the handler enqueued after the hold: `unheld`). */
  readonly jobs: readonly JobRecord[];
  /** Work of the invoke (created in its async chain) still pending when Lambda would freeze — two turns of the event loop after the release — that nothing held. Empty is the goal. */
  readonly frozen: readonly FrozenWork[];
  /** With {@link InvokeOptions.thaw}: frozen work of earlier invokes on this handler that ran during this one; otherwise empty. */
  readonly thawed: readonly ThawedWork[];
  /** The layer's log lines written during this invoke, parsed (`level`, `message`, `requestId`, …). */
  readonly logs: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** Options of `invokeHandler`. */
export interface InvokeOptions {
  /** The function timeout in milliseconds: the deadline is this far from the invoke's start. A positive integer up to 900000 (Lambda's 15 minutes). @default 3000 (Lambda's default timeout) */
  readonly timeoutMs?: number;
  /** The invoke's request id. @default a random UUID */
  readonly requestId?: string;
  /** `context.functionName`, also in `invokedFunctionArn`. @default 'test-function' */
  readonly functionName?: string;
  /**
   * Environment variables set for the length of the invoke and restored after it; the layer's
   * settings (`AFTER_RESPONSE_DEADLINE_MARGIN_MS`, `AFTER_RESPONSE_ABORT_GRACE_MS`,
   * `AFTER_RESPONSE_CONCURRENCY`, `AFTER_RESPONSE_LOG_LEVEL`, …) are read from here and from
   * `process.env`. A changed layer setting starts a new (cold) environment.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Reports, in `thawed`, what earlier invokes on this handler left frozen and that ran during
   * this invoke, as it would after Lambda thaws the environment for the next invoke. Your test
   * process never freezes, so frozen work may also run between two calls: call `invokeHandler`
   * again at once to see it run in the next invoke.
   * @default false
   */
  readonly thaw?: boolean;
}

/** What the handler gets as its third argument on `nodejs22.x` (callback handlers). */
export type HandlerCallback = (error?: unknown, result?: unknown) => void;

/**
 * The Lambda `context` object, as the Node runtimes pass it; `getRemainingTimeInMillis()`
 * counts down to the invoke's deadline.
 */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Milliseconds until the invoke's deadline (never negative). */
  getRemainingTimeInMillis(): number;
  /** `nodejs22.x` only (removed in `nodejs24.x`): as calling back with `(error, result)`. */
  done(error?: unknown, result?: unknown): void;
  /** `nodejs22.x` only: as calling back with `(error)`. */
  fail(error: unknown): void;
  /** `nodejs22.x` only: as calling back with `(null, result)`. */
  succeed(result: unknown): void;
}

/** Any Lambda handler: `(event, context)` returning a value or a promise, or a callback handler. */
export type AnyHandler = (event: never, context: LambdaContext, callback: HandlerCallback) => unknown;
