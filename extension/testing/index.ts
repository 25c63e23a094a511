/**
 * `lambda-after-response/testing`: run a handler in your own tests as Lambda would, with the
 * layer's real lifecycle, and see what Lambda would freeze.
 *
 * ```ts
 * import { invokeHandler } from 'lambda-after-response/testing';
 * const result = await invokeHandler(handler, event, { timeoutMs: 3000 });
 * expect(result.frozen).toEqual([]);
 * ```
 * @packageDocumentation
 */
import { Environment } from './environment.ts';
import { TEST_KIT_KEY } from './layer-shared.ts';
import { layerSettingsKey } from './layer-wiring.ts';
import type { AnyHandler, InvokeOptions, InvokeResult } from './types.ts';
import { validateArgs } from './validate-args.ts';

export type { AnyHandler, DescribedError, FrozenWork, HandlerCallback, InvokeOptions, InvokeResult, JobKind, JobOutcome, JobRecord, LambdaContext, ThawedWork } from './types.ts';

/** The event type a handler declares; `unknown` for a handler without parameters. */
export type EventOf<H extends AnyHandler> = Parameters<H> extends [] ? unknown : Parameters<H>[0];

// Imported before the handler's module, the kit tells the client it will run its flushers: no
// "no extension is loaded" WARN for a module that calls flushAfterResponse at its top level.
Object.defineProperty(globalThis, TEST_KIT_KEY, { value: true, enumerable: false, configurable: true });

/** Each handler's warm environment, and the layer settings it was set up with. */
const environments = new WeakMap<AnyHandler, { readonly environment: Environment; readonly settings: string }>();
/** Invokes run one at a time, as in one Lambda environment: the layer's globals exist once. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Invokes `handler` with `event` as Lambda would with the layer: the response, then the jobs it
 * enqueued, held until they settle or the deadline nears, then the release — run by the layer's
 * own lifecycle code against an in-process Runtime API. Reports what the handler left running
 * that nothing held (`frozen`: on Lambda it would freeze with the environment).
 *
 * Calls on the same handler are warm invokes of one environment (an invoke that timed out
 * resets it); calls run one at a time. Between calls nothing of the layer stays installed: the
 * async hooks are disabled, its global host and request contexts removed, `options.env` restored.
 *
 * @param handler `(event, context)` returning the response or a promise of it, or a callback handler `(event, context, callback)`.
 * @param event passed to the handler as it is.
 * @returns the response (or `error`), the timings in milliseconds (`responseMs`, `releasedMs`),
 * every job's outcome, the frozen work with the stack that created it, and the layer's log lines.
 * @throws {TypeError} naming the bad value: `handler` not a function, `options` not an object or
 * with an unknown key, `timeoutMs` not an integer from 1 to 900000, a blank `requestId` or
 * `functionName`, an `env` value not a string, `thaw` not a boolean.
 * @example
 * ```ts
 * const { response, jobs, frozen } = await invokeHandler(handler, { body: '{}' });
 * assert.deepEqual(frozen, []);
 * assert.equal(jobs[0].outcome, 'succeeded');
 * ```
 */
export async function invokeHandler<H extends AnyHandler>(handler: H, event: EventOf<H>, options?: InvokeOptions): Promise<InvokeResult<Awaited<ReturnType<H>>>> {
  const args = validateArgs(handler, options);
  const turn = queue.then(() => run(args, event));
  queue = turn.catch(() => undefined);
  return (await turn) as InvokeResult<Awaited<ReturnType<H>>>;
}

async function run(args: ReturnType<typeof validateArgs>, event: unknown): Promise<InvokeResult<unknown>> {
  const restoreEnv = applyEnv(args.env);
  try {
    const settings = layerSettingsKey(process.env);
    let found = environments.get(args.handler);
    if (!found || found.settings !== settings) {
      found = { environment: new Environment(args.handler, { ...process.env }), settings };
      environments.set(args.handler, found);
    }
    const { result, spent } = await found.environment.invoke({ event, requestId: args.requestId ?? crypto.randomUUID(), functionName: args.functionName, timeoutMs: args.timeoutMs, thaw: args.thaw });
    if (spent) environments.delete(args.handler);
    return result;
  } finally {
    restoreEnv();
  }
}

/** Sets variables for the length of an invoke; returns what restores them (an absent one is deleted again). */
function applyEnv(vars: Readonly<Record<string, string>>): () => void {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}
