import { isThenable } from './layer-shared.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { AnyHandler, HandlerCallback } from './types.ts';

/** How a handler ended: what it returned or called back with, or what it threw. */
export type HandlerOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export interface HandlerCallOptions {
  readonly requestId: string;
  readonly functionName: string;
  readonly deadlineMs: number;
  readonly now: () => number;
}

/**
 * Calls a handler as the Node runtimes do: `(event, context, callback)`. A returned promise is
 * awaited; a callback handler (three parameters, nothing thenable returned: `nodejs22.x`) ends
 * when it calls back or `context.done/succeed/fail`; any other return value is the response.
 * The first outcome wins, as in the runtime clients. Never rejects.
 */
export function callHandler(handler: AnyHandler, event: unknown, options: HandlerCallOptions): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    let ended = false;
    const end = (outcome: HandlerOutcome): void => {
      if (ended) return;
      ended = true;
      resolve(outcome);
    };
    const callback: HandlerCallback = (error, result) => end(error === undefined || error === null ? { ok: true, value: result } : { ok: false, error });
    const context = createLambdaContext({ ...options, callback });
    let returned: unknown;
    try {
      returned = (handler as (event: unknown, context: unknown, callback: HandlerCallback) => unknown)(event, context, callback);
    } catch (error) {
      return end({ ok: false, error });
    }
    if (isThenable(returned)) {
      void Promise.resolve(returned).then((value) => end({ ok: true, value }), (error: unknown) => end({ ok: false, error }));
    } else if (handler.length < 3) {
      end({ ok: true, value: returned });
    }
  });
}
