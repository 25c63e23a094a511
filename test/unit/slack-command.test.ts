// The Slack example's ack, follow-up job and apology, with fakes injected (fast-check for any event).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createSlashCommandHandler, JOB_NAME } from '../../examples/slack-slash-command/slash-command.mjs';
import { event, FORM, NOW_MS, NOW_S, SECRET } from './slack-events.ts';

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

  it('bounds a hanging apology to 1 s by default, inside the 1500 ms grace the deploy templates set', async () => {
    const jobs: Job[] = [];
    const logs: string[] = [];
    let apologySignal: AbortSignal | undefined;
    const hangs = ((_url: string | URL | Request, init?: RequestInit) => {
      apologySignal = init?.signal ?? undefined;
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    }) as typeof fetch;
    const handler = createSlashCommandHandler({
      signingSecret: SECRET, enqueue: (job) => void jobs.push(job), work: () => Promise.reject(new Error('database down')),
      fetch: hangs, now: () => NOW_MS, log: { error: (m: unknown) => void logs.push(String(m)), warn: () => undefined },
    });
    await handler(event());
    // The bound is read from the timeout signal's own argument, not from elapsed time.
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    try {
      await expect(jobs[0]?.({ signal: new AbortController().signal })).rejects.toThrow('database down');
      expect(timeout.mock.calls).toEqual([[1000]]);
    } finally {
      timeout.mockRestore();
    }
    expect(apologySignal?.aborted).toBe(true);
    expect((apologySignal?.reason as Error | undefined)?.name).toBe('TimeoutError');
    expect(logs).toEqual([expect.stringMatching(/^Could not post the apology to response_url: .*(timed out|abort)/i) as unknown]);
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
    // Well-formed commands (any text, any http(s) response_url, extra fields) as often as
    // malformed bodies: the ack path must be exercised, not reached by chance.
    const command = fc.record({
      command: fc.string({ maxLength: 20 }).map((name) => `/${name}`),
      text: fc.string({ maxLength: 50 }),
      response_url: fc.webUrl(),
      user_id: fc.string({ maxLength: 12 }),
      channel_id: fc.string({ maxLength: 12 }),
    }, { requiredKeys: ['command', 'response_url'] });
    const wellFormed = fc.tuple(command, fc.dictionary(fc.constantFrom('team_id', 'trigger_id', 'api_app_id'), fc.string({ maxLength: 12 })))
      .map(([fields, extra]) => ({ kind: 'command' as const, form: new URLSearchParams({ ...extra, ...fields }).toString() }));
    const malformed = fc.oneof(
      fc.string(),
      fc.dictionary(fc.constantFrom('command', 'text', 'response_url', 'ssl_check', 'payload'), fc.oneof(fc.string(), fc.webUrl(), fc.constant('/lookup'))).map((d) => new URLSearchParams(d).toString()),
    ).map((form) => ({ kind: 'any' as const, form }));
    let acks = 0;
    const runs = 500;
    await fc.assert(
      fc.asyncProperty(fc.oneof(wellFormed, malformed), fc.boolean(), async ({ kind, form }, base64) => {
        const r = rig();
        const response = await r.handler(event(form, { base64 }));
        const acked = response.statusCode === 200 && response.headers['content-type'] === 'application/json';
        if (acked) acks++;
        expect([200, 400]).toContain(response.statusCode);
        expect(r.jobs).toHaveLength(acked ? 1 : 0);
        if (kind === 'command') {
          expect(acked).toBe(true);
          expect(r.jobs.map((j) => j.name)).toEqual([JOB_NAME]);
        }
      }),
      { numRuns: runs },
    );
    // About half the bodies are well-formed commands; a third is a floor no seed misses.
    expect(acks).toBeGreaterThanOrEqual(runs / 3);
  });
});
