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
import { describeValue } from './validate.ts';
import { namedWaitUntil, type WaitUntil } from './index.ts';

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
 * Returns a view of `app` whose `fetch` passes {@link executionContext} when its caller passed
 * none (an execution context given by the caller is kept). Everything else is `app`'s own.
 * @example
 * ```ts
 * export const handler = handle(withExecutionContext(app)); // or streamHandle(withExecutionContext(app))
 * ```
 * @throws {TypeError} when `app` has no `fetch` method.
 */
export function withExecutionContext<App extends FetchApp>(app: App): App {
  const fetch: unknown = typeof app === 'object' && app !== null ? Reflect.get(app, 'fetch') : undefined;
  if (typeof fetch !== 'function') throw new TypeError(`Expected \`app\` to be a Hono app (an object with a \`fetch\` method), got ${describeValue(app)}`);
  const fetchWithContext = (request: unknown, env?: unknown, executionCtx?: unknown, ...rest: unknown[]): unknown =>
    Reflect.apply(fetch, app, [request, env, executionCtx ?? executionContext, ...rest]);
  return new Proxy(app, {
    get(target, key) {
      if (key === 'fetch') return fetchWithContext;
      const value: unknown = Reflect.get(target, key, target);
      // Hono's methods use private fields: they must run with the app itself as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
