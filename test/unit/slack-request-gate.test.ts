// The request checks bolt.mjs puts in front of Bolt's receiver: the plain handler's 400/401, and
// the inner handler (Bolt) reached only by a request the plain handler would accept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refuseBadRequests } from '../../examples/slack-slash-command/request-gate.mjs';
import { event, FORM, NOW_MS, NOW_S, SECRET, sign } from './slack-events.ts';

function gate() {
  const reached: unknown[] = [];
  const warnings: string[] = [];
  const handler = refuseBadRequests(async (e: unknown, context: { id: string }) => {
    reached.push([e, context]);
    return { statusCode: 200, headers: {}, body: 'inner' };
  }, { signingSecret: SECRET, now: () => NOW_MS, log: { warn: (m: unknown) => void warnings.push(String(m)) } });
  return { handler, reached, warnings };
}

describe('refuseBadRequests (bolt.mjs)', () => {
  it('passes a signed slash command and Slack\'s ssl_check to the inner handler, with the context', async () => {
    const g = gate();
    const command = event();
    expect(await g.handler(command, { id: 'ctx' })).toEqual({ statusCode: 200, headers: {}, body: 'inner' });
    await g.handler(event('ssl_check=1&token=x'), { id: 'ctx2' });
    expect(g.reached).toEqual([[command, { id: 'ctx' }], [event('ssl_check=1&token=x'), { id: 'ctx2' }]]);
    expect(g.warnings).toEqual([]);
  });

  const json = JSON.stringify({ command: '/lookup', text: 'x', response_url: 'https://hooks.slack.com/commands/1/2/3' });
  it.each([
    ['a timestamp 400 s in the future', event(FORM, { ts: String(NOW_S + 400) }), 401, /Stale request: X-Slack-Request-Timestamp is 400 s away/],
    ['a timestamp 400 s in the past', event(FORM, { ts: String(NOW_S - 400) }), 401, /Stale request/],
    ['a wrong signature', event(FORM, { secret: 'not-the-secret' }), 401, /Invalid X-Slack-Signature/],
    ['no headers at all', { body: FORM }, 401, /Missing X-Slack-Signature or X-Slack-Request-Timestamp/],
    ['not even an object', 'hello', 400, /Expected an HTTP event object, got "hello"/],
    ['a signed JSON body', event(json, { headers: { 'content-type': 'application/json' } }), 400, /Expected Content-Type application\/x-www-form-urlencoded .*got "application\/json"/],
    ['a command without response_url', event('command=%2Flookup&text=x'), 400, /Expected a `response_url` field/],
  ])('refuses %s like the plain handler, without reaching the inner handler', async (_what, bad, status, message) => {
    const g = gate();
    const response = await g.handler(bad, { id: 'ctx' });
    expect(response).toMatchObject({ statusCode: status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect((response as { body: string }).body).toMatch(message);
    expect(g.reached).toEqual([]);
    expect(g.warnings).toEqual([`Refused a request with ${String(status)}: ${(response as { body: string }).body}`]);
  });

  it('never throws and never reaches the inner handler, whatever unsigned value comes in', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), async (value) => {
      const g = gate();
      const response = await g.handler(value, { id: 'ctx' });
      expect([400, 401]).toContain((response as { statusCode: number }).statusCode);
      expect(g.reached).toEqual([]);
    }));
  });

  it('never reaches the inner handler for a signed body with any headers but a form content type', async () => {
    await fc.assert(fc.asyncProperty(fc.string(), fc.string(), async (body, type) => {
      fc.pre(type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded');
      const g = gate();
      const signed = { headers: { 'content-type': type, 'x-slack-request-timestamp': String(NOW_S), 'x-slack-signature': sign(String(NOW_S), body) }, body };
      expect(await g.handler(signed, { id: 'ctx' })).toMatchObject({ statusCode: 400 });
      expect(g.reached).toEqual([]);
    }));
  });
});
