// Public types of the integration rig: tests are written against these names.
export type Profile = 'nodejs22.x' | 'nodejs24.x';

export type FaultAction =
  | { kind: 'delay'; ms: number; answerMs?: number } // forward after `ms`; relay upstream's answer `answerMs` after it arrived
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'drop'; afterMs?: number } // afterMs: hold the request open first (a reset mid long-poll)
  | { kind: 'garble' } // answer with bytes that are not HTTP, then close
  | { kind: 'hang' } // read the request and never answer it (until the caller gives up)
  // The two below (and a delay's answerMs) forward the request, so upstream (RIE) takes it as made:
  // a `next` whose event is lost, unreadable or late was still consumed, as on Lambda when the
  // connection fails on the way back.
  | { kind: 'lose-answer' } // reset the caller's connection instead of relaying upstream's answer
  | { kind: 'garble-answer' }; // relay upstream's status and headers, every body byte replaced (same length)

export interface FaultRule {
  path: RegExp;
  method?: string;
  action: FaultAction;
  times?: number; // default: unlimited
}

export interface SandboxOptions {
  profile: Profile;
  taskDir: string; // host dir bind-mounted at /var/task
  handler: string; // _HANDLER, e.g. 'index.handler'
  layerDir?: string; // host dir bind-mounted at /opt (undefined: an empty /opt)
  env?: Record<string, string>; // extra function env
  timeoutSeconds?: number; // AWS_LAMBDA_FUNCTION_TIMEOUT, default 30
  memorySizeMb?: number; // default 512
  freeze?: boolean; // freeze emulation, default true
  faults?: FaultRule[]; // applied by the recording proxy
  /**
   * Connections to the Runtime API from the preloads that run before the rig's own (the layer's
   * extension, given first in NODE_OPTIONS) are refused: they see an AWS_LAMBDA_RUNTIME_API
   * nothing listens on, which a rig preload then puts back for the runtime client. Emulates a
   * refused Extensions API registration, which the proxy (a listening server) cannot refuse.
   */
  refuseExtensionConnections?: boolean;
}

export type ApiCallKind =
  | 'runtime-next'
  | 'runtime-response'
  | 'runtime-error'
  | 'runtime-init-error'
  | 'extension-register'
  | 'extension-next'
  | 'extension-error'
  | 'other';

export interface ApiCall {
  kind: ApiCallKind;
  method: string;
  path: string;
  requestId?: string;
  startedAt: number;
  endedAt: number; // NaN while the call is still in flight (e.g. a pending long-poll)
  /** When the proxy began relaying upstream's answer (performance.now()): the caller cannot have had it earlier. Unset if it relayed none. */
  answeredAt?: number;
  status?: number;
  extensionName?: string;
  fault?: FaultAction['kind']; // set when a FaultRule applied to this call
}

export interface InvokeResult {
  status: number;
  body: string;
  json(): unknown;
  requestId: string | undefined;
  startedAt: number;
  returnedAt: number;
  durationMs: number;
  responsePostedAt?: number;
  errorPostedAt?: number;
  runtimeNextAt?: number;
  extensionReleasedAt?: number;
  runtimePid?: number;
  frozenAt?: number; // when freeze emulation stopped the environment (after the runtime's next)
  calls: ApiCall[]; // calls overlapping [startedAt, frozenAt ?? end of the invoke]
}

/**
 * One of several invokes sent at once (Managed Instances mode). Its facts come from the calls
 * that carry its request id: with overlapping invokes a time window would mix them up.
 */
export interface ConcurrentInvokeResult {
  status: number;
  body: string;
  headers: Record<string, string>; // e.g. Error-Type on an invoke RIE failed
  json(): unknown;
  requestId: string; // sent as X-Amzn-RequestId, which RIE's Managed Instances mode adopts
  startedAt: number;
  returnedAt: number;
  durationMs: number;
  deliveredAt?: number; // when a runtime `next` handed this request out (seen by the proxy)
  responsePostedAt?: number;
  errorPostedAt?: number;
  calls: ApiCall[]; // the calls carrying this request id
}

export interface ConcurrentInvokeOptions {
  timeoutMs?: number;
  idleRuntimes?: number;
  readyWithinMs?: number;
  /**
   * An invoke RIE refuses with 400 `Runtime.Unavailable` (no runtime waiting in `next` at that
   * moment, though the proxy saw one pass) reached no runtime: send it again, same request id,
   * until readyWithinMs after the first send. `'refused'` returns the refusal instead.
   * @default 'retry'
   */
  whenUnavailable?: 'retry' | 'refused';
}

export interface Sandbox {
  invoke(payload: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult>;
  /**
   * Sends all payloads at once; needs freeze: false and AWS_LAMBDA_MAX_CONCURRENCY in env. First
   * waits up to readyWithinMs (default 10 s) for idleRuntimes (default: one per payload) runtime
   * `next` calls to be pending, since RIE refuses an invoke no runtime waits for.
   */
  invokeConcurrently(payloads: unknown[], options?: ConcurrentInvokeOptions): Promise<ConcurrentInvokeResult[]>;
  logs(): string;
  logsSince(mark: number): string;
  logMark(): number;
  calls(): ApiCall[];
  /** Adds rules after the current ones (and those given at start): they apply to calls made from now on. */
  addFaults(rules: FaultRule[]): void;
  thaw(): void;
  freeze(): void;
  stop(): Promise<void>;
  /** Host path of the sandbox's private /tmp (the function sees it as /tmp). */
  readonly tmpDir: string;
}
