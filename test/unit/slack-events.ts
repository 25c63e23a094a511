// Signed Slack slash-command events for the example's unit tests.
import { createHmac } from 'node:crypto';

export const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const NOW_MS = 1_700_000_000_000;
export const NOW_S = NOW_MS / 1000;
export const FORM = 'command=%2Flookup&text=hello+world&user_id=U1&channel_id=C1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3';

export const sign = (ts: string, body: Buffer | string, secret = SECRET): string =>
  `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}`;

export interface EventOptions { ts?: string; secret?: string; base64?: boolean; headers?: Record<string, string>; signature?: string }
export function event(form: string | Buffer = FORM, o: EventOptions = {}): Record<string, unknown> {
  const bytes = Buffer.from(form);
  const ts = o.ts ?? String(NOW_S);
  const base64 = o.base64 ?? true;
  return {
    version: '2.0',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': o.signature ?? sign(ts, bytes, o.secret),
      ...o.headers,
    },
    body: base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: base64,
  };
}
