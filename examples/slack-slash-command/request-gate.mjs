// @ts-check
// The plain handler's request checks in front of another handler (Bolt's AwsLambdaReceiver):
// a request that handler.mjs refuses with 400/401 is refused here the same way and never reaches
// the inner handler, so nothing is acked or queued for it. Bolt alone accepts a timestamp in the
// future, a signed JSON body and a command without response_url, and throws on an event without
// headers (a 502 on Lambda).
import { readSlashCommand } from './slack-request.mjs';

/** @typedef {{ statusCode: number, headers: Record<string, string>, body: string }} HttpResponse */

/**
 * @template E, C, R
 * @param {(event: E, context: C) => Promise<R>} inner  called only for a request readSlashCommand accepts (a command or Slack's ssl_check)
 * @param {{ signingSecret: string, now: () => number, log: Pick<Console, 'warn'> }} deps  now: epoch ms
 * @returns {(event: E, context: C) => Promise<R | HttpResponse>}
 */
export function refuseBadRequests(inner, deps) {
  return async (event, context) => {
    const read = readSlashCommand(event, { signingSecret: deps.signingSecret, nowMs: deps.now() });
    if (!read.ok) {
      deps.log.warn(`Refused a request with ${read.statusCode}: ${read.message}`);
      return { statusCode: read.statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: read.message };
    }
    return inner(event, context);
  };
}
