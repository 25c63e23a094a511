/**
 * `lambda-after-response/hono`: gives Hono's `c.executionCtx.waitUntil()` a meaning on Lambda.
 *
 * `handle(app)` and `streamHandle(app)` of `hono/aws-lambda` (hono@4.13) call `app.fetch(req, env)`
 * with no execution context, so `c.executionCtx` throws "This context has no ExecutionContext".
 * Wrap the app; nothing else changes:
 *
 * ```ts
 * import { handle } from 'hono/aws-lambda';
 * import { withExecutionContext } from 'lambda-after-response/hono';
 * app.post('/signup', (c) => { c.executionCtx.waitUntil(sendWelcomeMail(c.req)); return c.text('ok'); });
 * export const handler = handle(withExecutionContext(app));
 * ```
 * No runtime dependency on Hono: the types are structural.
 * @packageDocumentation
 */
import { describeValue } from '../../shared/validate.ts';
import { namedWaitUntil, type WaitUntil } from '../index.ts';

/** Jobs given to this bridge's `waitUntil` are logged under this name. */
const JOB_NAME = 'hono waitUntil';
const waitUntil: WaitUntil = namedWaitUntil(JOB_NAME);

/** The shape of Hono's `ExecutionContext` (Cloudflare Workers' `ctx`), as `c.executionCtx` returns it. */
export interface AfterResponseExecutionContext {
  /** Holds the invoke until `promise` settles; the response is not delayed. @throws {TypeError} for a non-thenable. */
  readonly waitUntil: WaitUntil;
  /** Cloudflare forwards to the origin on an exception; Lambda has no origin: does nothing. */
  passThroughOnException(): void;
  /** Cloudflare's service-binding props; always empty on Lambda. */
  readonly props: Record<string, never>;
}

/**
 * The execution context to pass as `app.fetch(request, env, executionContext)` when calling Hono yourself.
 * @example
 * ```ts
 * const response = await app.fetch(request, env, executionContext);
 * ```
 */
export const executionContext: AfterResponseExecutionContext = Object.freeze({
  waitUntil,
  passThroughOnException: () => undefined,
  props: Object.freeze({}),
});

/** Anything with Hono's `fetch(request, env?, executionCtx?)`. */
export interface FetchApp {
  fetch(request: never, ...rest: never[]): unknown;
}

/**
 * Returns a view of `app` whose entries for dispatching a request pass {@link executionContext}
 * when their caller passed none (an execution context given by the caller is kept):
 * `fetch(request, env?, executionCtx?)`, what `handle()` / `streamHandle()` of `hono/aws-lambda`
 * call, and `request(input, init?, env?, executionCtx?)`, Hono's test call (also what
 * `testClient()` of `hono/testing` calls). Hono's `fire()` is left as is: it serves Service Worker
 * `fetch` events, which bring their own `waitUntil` (and Node has none). Methods that return the
 * app (`get`, `post`, `use`, `route`, …) return this view, so chaining keeps it; `basePath()`
 * returns its copy wrapped the same way. Everything else is `app`'s own.
 * @example
 * ```ts
 * export const handler = handle(withExecutionContext(app)); // or streamHandle(withExecutionContext(app))
 * ```
 * @throws {TypeError} when `app` has no `fetch` method.
 */
export function withExecutionContext<App extends FetchApp>(app: App): App {
  const fetch: unknown = typeof app === 'object' && app !== null ? Reflect.get(app, 'fetch') : undefined;
  if (typeof fetch !== 'function') throw new TypeError(`Expected \`app\` to be a Hono app (an object with a \`fetch\` method), got ${describeValue(app)}`);
  const entries = dispatchEntries(app);
  const methods = new WeakMap<object, unknown>();
  const view: App = new Proxy(app, {
    get(target, key) {
      const entry = entries.get(key);
      if (entry) return entry;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      // Hono's methods use private fields: they must run with the app itself as `this`.
      if (!methods.has(value)) methods.set(value, (...args: unknown[]): unknown => rewrap(target, view, Reflect.apply(value, target, args)));
      return methods.get(value);
    },
  });
  return view;
}

/** `fetch` and, when the app has it, `request`, each adding the execution context as its last argument. */
function dispatchEntries(app: object): Map<PropertyKey, (...args: unknown[]) => unknown> {
  const entries = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const fetch: unknown = Reflect.get(app, 'fetch');
  if (typeof fetch === 'function') entries.set('fetch', (request: unknown, env?: unknown, executionCtx?: unknown, ...rest: unknown[]): unknown =>
    Reflect.apply(fetch, app, [request, env, executionCtx ?? executionContext, ...rest]));
  const request: unknown = Reflect.get(app, 'request');
  if (typeof request === 'function') {
    entries.set('request', (input: unknown, init?: unknown, env?: unknown, executionCtx?: unknown, ...rest: unknown[]): unknown =>
      Reflect.apply(request, app, [input, init, env, executionCtx ?? executionContext, ...rest]));
  }
  return entries;
}

/** A method's result: the app itself becomes the view; another app (`basePath`'s copy: anything with a `fetch` method) is wrapped too. */
function rewrap<App extends FetchApp>(target: App, view: App, result: unknown): unknown {
  if (result === target) return view;
  const isApp = typeof result === 'object' && result !== null && typeof Reflect.get(result, 'fetch') === 'function';
  return isApp ? withExecutionContext(result as FetchApp) : result;
}
