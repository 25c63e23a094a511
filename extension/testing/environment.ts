import { describeUserError } from './async-stack.ts';
import { callHandler, type HandlerOutcome } from './handler-call.ts';
import { FrozenWorkWatch } from './frozen-work.ts';
import { JobRecorder } from './job-recorder.ts';
import { realClearTimeout, realSetImmediate, realSetTimeout } from './real-timers.ts';
import { createLayer, type Layer } from './layer-wiring.ts';
import type { AnyHandler, FrozenWork, InvokeResult, ThawedWork } from './types.ts';

/** One invoke as the environment runs it. */
export interface InvokeRequest {
  readonly event: unknown;
  readonly requestId: string;
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly thaw: boolean;
}

interface Call {
  readonly request: InvokeRequest;
  readonly deadlineMs: number;
  readonly recorder: JobRecorder;
  readonly watch: FrozenWorkWatch;
  readonly logs: Array<Readonly<Record<string, unknown>>>;
  open: boolean;
}

/** Log lines kept between invokes (the layer's lines about late and abandoned work), for the next result. */
const MAX_LINES_BETWEEN = 1000;
/**
 * Turns of the event loop between the release and the freeze (see Environment.#frozenAfter). One
 * was enough for undici to unref a socket whose response was read, in every run measured (Node 20,
 * 22 and 24, the fetch-and-read test and the example's fixed handler; with zero turns it was reported): two
 * for margin. Each costs an immediate per invoke.
 */
const FREEZE_TURNS = 2;
/** Earlier invokes' frozen work kept for `thaw`. */
const MAX_EARLIER = 1000;

/**
 * One warm execution environment of one handler: the layer set up once (as the preload does at
 * init), the runtime's loop waiting for invokes, and what earlier invokes left frozen. Invokes
 * run one at a time (the caller serialises them); nothing of the layer is published between them.
 */
export class Environment {
  readonly #own = new WeakSet<object>();
  readonly #layer: Layer;
  readonly #handler: AnyHandler;
  readonly #between: Array<Readonly<Record<string, unknown>>> = [];
  readonly #earlier = new Map<number, ThawedWork>();
  #droppedBetween = 0;
  #call: Call | undefined;

  constructor(handler: AnyHandler, env: Readonly<Record<string, string | undefined>>) {
    this.#handler = handler;
    this.#layer = createLayer({ env, own: this.#own, write: (line) => this.#log(line), recorder: () => (this.#call?.open ? this.#call.recorder : undefined) });
    // From a fresh immediate: the runtime's `next` enters the layer's context slot where it is called.
    this.#own.add(realSetImmediate(() => void this.#runtimeLoop()));
  }

  /** Runs one invoke to its release (or its timeout: then this environment is spent, as Lambda resets it). */
  async invoke(request: InvokeRequest): Promise<{ readonly result: InvokeResult<unknown>; readonly spent: boolean }> {
    await this.#layer.double.initialized;
    const started = performance.now();
    const call: Call = {
      request, deadlineMs: Date.now() + request.timeoutMs, recorder: new JobRecorder(() => performance.now()),
      watch: new FrozenWorkWatch({ own: this.#own, earlier: request.thaw ? this.#earlier : new Map() }), logs: this.#takeBetween(), open: true,
    };
    call.watch.start();
    const unpublish = this.#layer.publish();
    try {
      const ended = await this.#run(call, started);
      const result: InvokeResult<unknown> = { requestId: request.requestId, ...ended, thawed: call.watch.thawed(), logs: [...call.logs] };
      return { result, spent: ended.releaseReason === 'timeout' };
    } finally {
      call.open = false;
      call.watch.stop();
      unpublish();
      this.#call = undefined;
    }
  }

  #run(call: Call, started: number): Promise<Omit<InvokeResult<unknown>, 'requestId' | 'thawed' | 'logs'>> {
    const { requestId, timeoutMs } = call.request;
    return new Promise((resolve) => {
      let response: { readonly outcome: HandlerOutcome; readonly at: number } | undefined;
      const end = (releaseReason: 'settled' | 'deadline' | 'timeout'): void => {
        realClearTimeout(timeout);
        call.open = false;
        const at = performance.now();
        const jobs = call.recorder.close();
        const answered = response?.outcome;
        const error = answered ? (answered.ok ? undefined : describeUserError(answered.error)) : { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, stackTrace: [] };
        void this.#frozenAfter(call).then((frozen) => resolve({
          response: answered?.ok ? answered.value : undefined, ...(error ? { error } : {}),
          responseMs: (response?.at ?? at) - started, releasedMs: at - started, releaseReason, jobs, frozen,
        }));
      };
      const timeout = realSetTimeout(() => {
        this.#layer.double.forget(requestId);
        end('timeout');
      }, timeoutMs);
      this.#own.add(timeout);
      this.#call = call;
      this.#layer.double.deliver(requestId, call.deadlineMs, {
        responded: (outcome) => void (response ??= { outcome, at: performance.now() }),
        released: () => end(this.#layer.releaseReason(requestId) ?? 'settled'),
      });
    });
  }

  /**
   * What is still pending when Lambda would freeze: the release is the extension's `next`, a
   * request Lambda must receive before it freezes, so the release's own turn and the next still
   * run. What they finish (a library closing its idle socket, undici's clean-up immediate after a
   * response was read) is not frozen; what they start (a job the client runs in-process when no
   * layer holds it) is, as on Lambda.
   */
  async #frozenAfter(call: Call): Promise<FrozenWork[]> {
    for (let turn = 0; turn < FREEZE_TURNS; turn++) await new Promise<void>((resolve) => void this.#own.add(realSetImmediate(resolve)));
    const frozen = call.watch.pending();
    this.#remember(call, frozen);
    return [...frozen.values()];
  }

  /** The runtime client's loop: `next`, the handler, its response posted, `next` again. */
  async #runtimeLoop(): Promise<void> {
    const { native } = this.#layer;
    for (;;) {
      const invocation = await native.next();
      const call = this.#call;
      const requestId = invocation.headers['lambda-runtime-aws-request-id'];
      if (!call || requestId !== call.request.requestId) continue;
      const { event, functionName } = call.request;
      const outcome = await call.watch.enterRoot(() => callHandler(this.#handler, event, { requestId: call.request.requestId, functionName, deadlineMs: call.deadlineMs, now: Date.now }));
      if (outcome.ok) native.done(call.request.requestId, outcome.value);
      else native.error(call.request.requestId, outcome.error);
    }
  }

  #log(line: string): void {
    let parsed: Readonly<Record<string, unknown>>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      parsed = { message: line };
    }
    if (this.#call?.open) this.#call.logs.push(parsed);
    else if (this.#between.length < MAX_LINES_BETWEEN) this.#between.push(parsed);
    else this.#droppedBetween++;
  }

  /** The lines kept since the last invoke, and one naming how many were dropped past the limit. */
  #takeBetween(): Array<Readonly<Record<string, unknown>>> {
    const lines = this.#between.splice(0);
    if (this.#droppedBetween > 0) lines.push({ level: 'WARN', source: 'lambda-after-response/testing', message: `${this.#droppedBetween} more log lines of the layer between two invokes were dropped (${MAX_LINES_BETWEEN} kept)` });
    this.#droppedBetween = 0;
    return lines;
  }

  /** What this invoke left frozen, for a later invoke's `thawed`; what thawed already is dropped. */
  #remember(call: Call, frozen: ReadonlyMap<number, FrozenWork>): void {
    const thawed = call.watch.thawed();
    for (const [id, work] of this.#earlier) if (thawed.includes(work)) this.#earlier.delete(id);
    for (const [id, work] of frozen) if (this.#earlier.size < MAX_EARLIER) this.#earlier.set(id, { ...work, requestId: call.request.requestId });
  }
}
