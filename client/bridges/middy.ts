/**
 * `lambda-after-response/middy`: a Middy middleware adding `context.waitUntil`.
 *
 * ```ts
 * import middy from '@middy/core';
 * import { waitUntilMiddleware, type WaitUntilContext } from 'lambda-after-response/middy';
 * export const handler = middy(async (event, context: Context & WaitUntilContext) => {
 *   context.waitUntil(audit(event));
 *   return { statusCode: 200 };
 * }).use(waitUntilMiddleware());
 * ```
 * No runtime dependency on Middy: the types are structural.
 * @packageDocumentation
 */
import { describeValue } from '../../shared/validate.ts';
import { namedWaitUntil, type WaitUntil } from '../index.ts';

/** Jobs given to this bridge's `waitUntil` are logged under this name. */
const JOB_NAME = 'middy waitUntil';
const waitUntil: WaitUntil = namedWaitUntil(JOB_NAME);

/** What the middleware adds to the Lambda context. */
export interface WaitUntilContext {
  /** Holds the invoke until `promise` settles; the response is not delayed. @throws {TypeError} for a non-thenable. */
  waitUntil: WaitUntil;
}

/** The part of Middy's middleware object this one uses (`@middy/core` 7 `MiddlewareObj`). */
export interface WaitUntilMiddleware {
  readonly before: (request: { readonly context: object }) => void;
}

/**
 * A middleware whose `before` sets `request.context.waitUntil` (Middy runs `before` in the
 * invoke's async context, so what is given to it belongs to that invoke). Forgetting `.use(…)`
 * still type-checks; every invoke then throws `context.waitUntil is not a function`.
 * @example
 * ```ts
 * export const handler = middy(async (event: AuditEvent, context: Context & WaitUntilContext) => {
 *   context.waitUntil(writeAuditLog(event));
 *   return { statusCode: 202 };
 * }).use(waitUntilMiddleware());
 * ```
 * @throws {TypeError} from `before`, when `request.context` is not an object.
 */
export function waitUntilMiddleware(): WaitUntilMiddleware {
  return {
    before(request) {
      const context: unknown = request.context;
      if (typeof context !== 'object' || context === null) throw new TypeError(`Expected \`request.context\` to be the Lambda context object, got ${describeValue(context)}`);
      Reflect.set(context, 'waitUntil', waitUntil);
    },
  };
}
