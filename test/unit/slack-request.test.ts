// The Slack example's request reading: signature, timestamp, body and form edges; the demo work.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORK_MS, demoLookup, workMsFromEnv } from '../../examples/slack-slash-command/demo-lookup.mjs';
import { readSlashCommand } from '../../examples/slack-slash-command/slack-request.mjs';
import { event, FORM, NOW_MS, NOW_S, SECRET, type EventOptions } from './slack-events.ts';

const read = (e: unknown): ReturnType<typeof readSlashCommand> => readSlashCommand(e, { signingSecret: SECRET, nowMs: NOW_MS });

describe('readSlashCommand', () => {
  it('reads a signed command from a base64 body and from a plain one', () => {
    const expected = { command: '/lookup', text: 'hello world', responseUrl: 'https://hooks.slack.com/commands/1/2/3', userId: 'U1', channelId: 'C1' };
    expect(read(event())).toEqual({ ok: true, command: expected });
    expect(read(event(FORM, { base64: false }))).toEqual({ ok: true, command: expected });
  });

  it('matches header names case-insensitively and ignores Content-Type parameters', () => {
    const e = event();
    const h = e.headers as Record<string, string>;
    const upper = { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8', 'X-Slack-Signature': h['x-slack-signature'] ?? '', 'X-Slack-Request-Timestamp': h['x-slack-request-timestamp'] ?? '' };
    expect(read({ ...e, headers: upper })).toMatchObject({ ok: true });
  });

  it('signs the raw bytes: a UTF-8 body verifies, and a body changed after signing does not', () => {
    const form = Buffer.from('command=%2Flookup&text=caf\u00e9 \u{1F600}&response_url=https%3A%2F%2Fh.example%2Fr');
    expect(read(event(form))).toMatchObject({ ok: true, command: { text: 'caf\u00e9 \u{1F600}' } });
    const e = event(form);
    expect(read({ ...e, body: Buffer.from(`${form.toString()}&x=1`).toString('base64') })).toEqual({ ok: false, statusCode: 401, message: 'Invalid X-Slack-Signature' });
  });

  it.each([
    ['a wrong secret', { secret: 'other' }, /Invalid X-Slack-Signature/],
    ['a signature of another length', { signature: 'v0=abc' }, /Invalid X-Slack-Signature/],
    ['a v1 signature', { signature: `v1=${'0'.repeat(64)}` }, /Invalid X-Slack-Signature/],
    ['a timestamp 301 s old', { ts: String(NOW_S - 301) }, /Stale request.*301 s/],
    ['a timestamp 301 s ahead', { ts: String(NOW_S + 301) }, /Stale request/],
    ['a timestamp that is not epoch seconds', { ts: '1.7e9' }, /epoch seconds, got "1\.7e9"/],
    ['a negative timestamp', { ts: '-1' }, /epoch seconds/],
  ])('refuses %s with 401', (_name, o: EventOptions, message) => {
    expect(read(event(FORM, o))).toMatchObject({ ok: false, statusCode: 401, message: expect.stringMatching(message) as unknown });
  });

  it('accepts a timestamp exactly 300 s away (Slack: "more than five minutes" is refused)', () => {
    expect(read(event(FORM, { ts: String(NOW_S - 300) }))).toMatchObject({ ok: true });
    expect(read(event(FORM, { ts: String(NOW_S + 300) }))).toMatchObject({ ok: true });
  });

  it('refuses a request without signature headers with 401', () => {
    const e = event();
    expect(read({ ...e, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toMatchObject({ statusCode: 401, message: expect.stringMatching(/Missing X-Slack-Signature/) as unknown });
    expect(read({ body: 'x' })).toMatchObject({ statusCode: 401 });
  });

  it.each([
    ['a body that is not base64', { ...event(), body: 'not base64!' }, /base64/],
    ['a body that is not a string', { ...event(), body: 42 }, /got `42` \(number\)/],
    ['an event that is not an object', 'POST /', /HTTP event object, got "POST \/"/],
    ['null', null, /got null/],
    ['an array', [], /got an array/],
  ])('refuses %s with 400', (_name, e: unknown, message) => {
    expect(read(e)).toMatchObject({ ok: false, statusCode: 400, message: expect.stringMatching(message) as unknown });
  });

  it.each([
    ['JSON', event('{"command":"/lookup"}', { headers: { 'content-type': 'application/json' } }), /Content-Type application\/x-www-form-urlencoded.*"application\/json"/],
    ['no command', event('text=x&response_url=https%3A%2F%2Fh.example%2F'), /`command` field starting with "\/", got null/],
    ['no response_url', event('command=%2Flookup'), /`response_url` field.*got null/],
    ['a response_url that is no URL', event('command=%2Flookup&response_url=hooks'), /got "hooks"/],
    ['a response_url that is not http(s)', event('command=%2Flookup&response_url=file%3A%2F%2F%2Fetc%2Fpasswd'), /got "file:\/\/\/etc\/passwd"/],
  ])('refuses a signed body with %s with 400', (_name, e, message) => {
    expect(read(e)).toMatchObject({ ok: false, statusCode: 400, message: expect.stringMatching(message) as unknown });
  });

  it("answers Slack's ssl_check", () => {
    expect(read(event('ssl_check=1&token=x'))).toEqual({ ok: true, sslCheck: true });
  });
});

describe('the demo work', () => {
  it('answers after the delay and stops on abort', async () => {
    await expect(demoLookup('a b', { signal: new AbortController().signal, delayMs: 1 })).resolves.toBe('Looked up "a b": 2 word(s), 3 character(s).');
    await expect(demoLookup('x', { signal: AbortSignal.abort(), delayMs: 60_000 })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reads SLACK_DEMO_WORK_MS, naming a bad value', () => {
    const errors: string[] = [];
    const log = { error: (m: string) => void errors.push(m) };
    expect(workMsFromEnv(undefined, log)).toBe(DEFAULT_WORK_MS);
    expect(workMsFromEnv('250', log)).toBe(250);
    expect(workMsFromEnv('0', log)).toBe(0);
    expect(errors).toEqual([]);
    for (const bad of ['-1', '1.5', 'soon', '900001']) expect(workMsFromEnv(bad, log)).toBe(DEFAULT_WORK_MS);
    expect(errors[0]).toBe('Expected `SLACK_DEMO_WORK_MS` to be an integer from 0 to 900000 (ms), got "-1"; using the default 4000');
    expect(errors).toHaveLength(4);
  });
});
