// The Slack example's signature check, form parsing and ack/follow-up logic, with fakes injected.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORK_MS, demoLookup, workMsFromEnv } from '../../examples/slack-slash-command/demo-lookup.mjs';
import { readSlashCommand } from '../../examples/slack-slash-command/slack-request.mjs';
import { createSlashCommandHandler, JOB_NAME } from '../../examples/slack-slash-command/slash-command.mjs';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;
const FORM = 'command=%2Flookup&text=hello+world&user_id=U1&channel_id=C1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3';

const sign = (ts: string, body: Buffer | string, secret = SECRET): string =>
  `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}`;

interface EventOptions { ts?: string; secret?: string; base64?: boolean; headers?: Record<string, string>; signature?: string }
function event(form: string | Buffer = FORM, o: EventOptions = {}): Record<string, unknown> {
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

interface Posted { url: string; body: unknown; signal: AbortSignal | undefined }
type Job = (context: { signal: AbortSignal }) => Promise<void>;

function rig(options: { work?: (signal: AbortSignal) => Promise<string>; statuses?: number[]; fetchThrows?: boolean; secret?: string | undefined } = {}) {
  const jobs: Array<{ job: Job; name: string }> = [];
  const posted: Posted[] = [];
  const logs: string[] = [];
  const statuses = [...(options.statuses ?? [])];
  const fetchFake = (async (url: string | URL | Request, init?: RequestInit) => {
    posted.push({ url: String(url), body: JSON.parse(String(init?.body)) as unknown, signal: init?.signal ?? undefined });
    if (options.fetchThrows) throw new TypeError('fetch failed');
    return new Response('ok', { status: statuses.shift() ?? 200 });
  }) as typeof fetch;
  const handler = createSlashCommandHandler({
    signingSecret: 'secret' in options ? options.secret : SECRET,
    enqueue: (job, o) => void jobs.push({ job, name: o.name }),
    work: async (command, { signal }) => (options.work ? options.work(signal) : `answer to ${command.text}`),
    fetch: fetchFake,
    now: () => NOW_MS,
    log: { error: (m: unknown) => void logs.push(`ERROR ${String(m)}`), warn: (m: unknown) => void logs.push(`WARN ${String(m)}`) },
  });
  return { handler, jobs, posted, logs };
}

describe('createSlashCommandHandler', () => {
  it('acks with an ephemeral message, queues one job, and the job posts the answer with its signal', async () => {
    const r = rig();
    const response = await r.handler(event());
    expect(response).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: 'Working on `/lookup hello world`…' }) });
    expect(r.jobs.map((j) => j.name)).toEqual([JOB_NAME]);
    const signal = new AbortController().signal;
    await r.jobs[0]?.job({ signal });
    expect(r.posted).toEqual([{ url: 'https://hooks.slack.com/commands/1/2/3', body: { response_type: 'ephemeral', text: 'answer to hello world' }, signal }]);
  });

  it('answers 500 and logs an ERROR when SLACK_SIGNING_SECRET is missing, queueing nothing', async () => {
    for (const secret of [undefined, '']) {
      const r = rig({ secret });
      const response = await r.handler(event());
      expect(response.statusCode).toBe(500);
      expect(response.body).toMatch(/SLACK_SIGNING_SECRET is not set/);
      expect(r.logs).toEqual([expect.stringMatching(/^ERROR SLACK_SIGNING_SECRET is not set/)]);
      expect(r.jobs).toEqual([]);
    }
  });

  it('answers 401 with the reason, logs a WARN and queues nothing on a bad signature', async () => {
    const r = rig();
    const response = await r.handler(event(FORM, { secret: 'wrong' }));
    expect(response).toMatchObject({ statusCode: 401, body: 'Invalid X-Slack-Signature' });
    expect(r.logs).toEqual(['WARN Refused a request with 401: Invalid X-Slack-Signature']);
    expect(r.jobs).toEqual([]);
  });

  it('on a failing job posts an apology and rethrows, so the layer reports the job as failed', async () => {
    const boom = new Error('database down');
    const r = rig({ work: () => Promise.reject(boom) });
    await r.handler(event());
    await expect(r.jobs[0]?.job({ signal: new AbortController().signal })).rejects.toBe(boom);
    expect(r.posted.map((p) => p.body)).toEqual([{ response_type: 'ephemeral', text: 'Sorry, I could not finish `/lookup hello world`: something went wrong. Please try again.' }]);
    expect(r.posted[0]?.signal?.aborted).toBe(false); // the apology has a signal of its own
  });

  it('on an abort posts "took too long" on a fresh signal', async () => {
    const controller = new AbortController();
    const r = rig({ work: (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))) });
    await r.handler(event());
    const running = r.jobs[0]?.job({ signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(r.posted.map((p) => p.body)).toEqual([{ response_type: 'ephemeral', text: expect.stringMatching(/took too long/) as unknown }]);
  });

  it('apologizes when response_url refuses the answer', async () => {
    const r = rig({ statuses: [404] });
    await r.handler(event());
    await expect(r.jobs[0]?.job({ signal: new AbortController().signal })).rejects.toThrow('response_url answered 404');
    expect(r.posted).toHaveLength(2);
  });

  it('never throws out of the apology: a failing apology is logged and the original error rethrown', async () => {
    const r = rig({ fetchThrows: true });
    await r.handler(event());
    await expect(r.jobs[0]?.job({ signal: new AbortController().signal })).rejects.toThrow('fetch failed');
    expect(r.logs).toEqual(['ERROR Could not post the apology to response_url: fetch failed']);
  });

  it('never throws and never queues on any unsigned or malformed event', async () => {
    const headers = fc.dictionary(
      fc.constantFrom('content-type', 'Content-Type', 'x-slack-signature', 'X-Slack-Request-Timestamp', 'x-slack-request-timestamp', 'host'),
      fc.oneof(fc.string(), fc.constant(String(NOW_S)), fc.constant('application/x-www-form-urlencoded'), fc.anything()),
    );
    const events = fc.oneof(
      fc.anything(),
      fc.record({ headers: fc.oneof(headers, fc.anything()), body: fc.oneof(fc.string(), fc.base64String(), fc.anything()), isBase64Encoded: fc.oneof(fc.boolean(), fc.anything()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(events, async (e) => {
        const r = rig();
        const response = await r.handler(e);
        expect([400, 401]).toContain(response.statusCode);
        expect(response.body.length).toBeGreaterThan(0);
        expect(r.jobs).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('on any correctly signed body: queues exactly when it acks with 200 JSON, and never throws', async () => {
    const forms = fc.oneof(
      fc.string(),
      fc.dictionary(fc.constantFrom('command', 'text', 'response_url', 'ssl_check', 'payload'), fc.oneof(fc.string(), fc.webUrl(), fc.constant('/lookup'))).map((d) => new URLSearchParams(d).toString()),
    );
    await fc.assert(
      fc.asyncProperty(forms, fc.boolean(), async (form, base64) => {
        const r = rig();
        const response = await r.handler(event(form, { base64 }));
        const acked = response.statusCode === 200 && response.headers['content-type'] === 'application/json';
        expect([200, 400]).toContain(response.statusCode);
        expect(r.jobs).toHaveLength(acked ? 1 : 0);
      }),
      { numRuns: 500 },
    );
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
