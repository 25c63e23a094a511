import { defaultClient, type AfterResponseClient } from './client.ts';
import { expectThenable, fromCaller } from '../shared/validate.ts';

/** What a `waitUntil` takes: any promise or thenable. Its outcome is logged, never returned. */
export type WaitUntil = (promise: PromiseLike<unknown>) => void;

/** The name under which promises passed to `waitUntil` appear in logs. */
export const WAIT_UNTIL_JOB_NAME = 'waitUntil';

/**
 * Options of {@link createWaitUntil}.
 * @example
 * ```ts
 * const waitUntil = createWaitUntil(client, { name: 'audit waitUntil' });
 * ```
 */
export interface WaitUntilOptions {
  /**
   * The job name in logs and the summary.
   * @default WAIT_UNTIL_JOB_NAME (`'waitUntil'`)
   * @example 'audit waitUntil'
   */
  readonly name?: string;
}

/**
 * Builds a `waitUntil` on a client (tests inject one; the module's {@link waitUntil} uses the default).
 * @throws {TypeError} from the returned function, when its argument is not a thenable.
 */
export function createWaitUntil(client: Pick<AfterResponseClient, 'enqueueAfterResponse'>, options: WaitUntilOptions = {}): WaitUntil {
  const jobOptions = { name: options.name ?? WAIT_UNTIL_JOB_NAME }; // one object, not one per call
  const waitUntil: WaitUntil = (promise) => {
    try {
      // Checked here, not only by enqueueAfterResponse: a function is a valid job there, not here.
      expectThenable(promise);
      client.enqueueAfterResponse(promise, jobOptions);
    } catch (error) {
      throw fromCaller(error, waitUntil); // the TypeError's stack starts at the user's call
    }
  };
  return waitUntil;
}

/**
 * Keeps the invoke's environment awake until `promise` settles, with the semantics of Vercel's and
 * Cloudflare's `waitUntil`: the response is not delayed, the promise is tracked from now on, a
 * rejection is logged by name (`waitUntil`, with the request id), never thrown. Like a promise job
 * of {@link enqueueAfterResponse}: held until it settles or the deadline margin is reached.
 *
 * ```ts
 * import { waitUntil } from 'lambda-after-response';
 * waitUntil(fetch(analyticsUrl, { method: 'POST', body }));
 * ```
 * @throws {TypeError} at once, when `promise` is not a thenable (``Expected `promise` to be a
 *   promise (thenable), got `42` (number)``); nothing is queued then.
 */
export const waitUntil: WaitUntil = namedWaitUntil(WAIT_UNTIL_JOB_NAME);

/**
 * A {@link waitUntil} on the default client whose jobs are logged as `name` (the framework bridges
 * use it so logs tell `hono waitUntil` from `middy waitUntil`).
 * @example
 * ```ts
 * const auditWaitUntil = namedWaitUntil('audit');
 * auditWaitUntil(writeAuditLog(event)); // a failure is logged as job "audit"
 * ```
 */
export function namedWaitUntil(name: string): WaitUntil {
  return createWaitUntil(defaultClient, { name });
}
