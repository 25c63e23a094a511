// The Slack example end to end under the rig: a loopback Slack stand-in signs a slash command,
// sends it as a Function URL event, times the ack, and receives the follow-up on response_url.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';
import { extensionLogs, PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';
import { commandEvent, SIGNING_SECRET, signedFormEvent, SlackStandIn } from './slack-stand-in.ts';
import { EXAMPLE_DIR, slackTaskDir } from './slack-task.ts';

const WORK_MS = 600;
const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_DEMO_WORK_MS: String(WORK_MS) };
const answer = (text: string): unknown => ({
  response_type: 'ephemeral',
  text: `Looked up "${text}": ${text.split(' ').length} word(s), ${text.length} character(s).`,
});
const ackTimes: string[] = [];

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await SlackStandIn.start();
});
afterAll(async () => {
  await standIn.close();
  console.log(`Slack example, time from invoke to the runtime posting the ack (the rig's recording proxy):\n${ackTimes.join('\n')}`);
});

/** The Function URL response the handler returned (RIE hands back the handler's JSON). */
function httpResponse(result: InvokeResult): { statusCode: number; body: string } {
  return result.json() as { statusCode: number; body: string };
}

const ackMs = (r: InvokeResult): number => (r.responsePostedAt ?? NaN) - r.startedAt;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `runs` commands (the first one cold) and checks each follow-up arrived, right, before the freeze. */
async function ackThenFollowUp(box: Sandbox, label: string, runs: number): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const url = standIn.responseUrl(`${label}-${String(i)}`.replace(/\W+/g, '-'));
    const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
    const response = httpResponse(result);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ response_type: 'ephemeral', text: 'Working on `/lookup hello world`…' });
    const posts = standIn.postsTo(url);
    expect(posts, 'one follow-up, before the freeze').toHaveLength(1);
    expect(posts[0]?.body).toEqual(answer('hello world'));
    expect(posts[0]?.at).toBeLessThan(result.frozenAt ?? NaN);
    expect(posts[0]?.at, 'the follow-up came after the ack was posted').toBeGreaterThan(result.responsePostedAt ?? Infinity);
    times.push(ackMs(result));
  }
  const warm = times.slice(1).map((t) => t.toFixed(1)).join(', ');
  ackTimes.push(`  ${label}: cold ${times[0]?.toFixed(1) ?? '?'} ms, warm ${warm} ms`);
}

/** Sends a refused request; checks the status, the message, and that nothing was posted or queued. */
async function refused(box: Sandbox, event: Record<string, unknown>, statusCode: number, message: RegExp): Promise<void> {
  const mark = box.logMark();
  const before = standIn.followUps.length;
  const result = await box.invoke(event);
  const response = httpResponse(result);
  expect(response.statusCode).toBe(statusCode);
  expect(response.body).toMatch(message);
  await sleep(WORK_MS + 300);
  expect(standIn.followUps.slice(before), 'nothing posted').toEqual([]);
  const jobs = extensionLogs(box.logsSince(mark)).filter((l) => l.requestId === result.requestId && l.message === 'after-response summary');
  expect(jobs, 'no job queued').toEqual([]);
}

describe.each(PROFILES)('on %s, the Slack example', (profile) => {
  describe('with the layer', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir: EXAMPLE_DIR, handler: 'handler.handler', timeoutSeconds: 10, env }));

    it('acks at once and posts the answer to response_url before the freeze, cold and warm', async () => {
      await ackThenFollowUp(await sandbox(), `${profile} handler.mjs`, 4);
    });

    it('answers 401 to a wrong signature or a stale timestamp, and posts and queues nothing', async () => {
      const box = await sandbox();
      const responseUrl = standIn.responseUrl(`${profile}-refused`);
      await refused(box, commandEvent({ text: 'x', responseUrl, secret: 'not-the-secret' }), 401, /Invalid X-Slack-Signature/);
      await refused(box, commandEvent({ text: 'x', responseUrl, timestampS: Math.floor(Date.now() / 1000) - 301 }), 401, /Stale request/);
    });

    it('answers 400 to a body that is not base64 or lacks response_url', async () => {
      const box = await sandbox();
      const event = commandEvent({ text: 'x', responseUrl: standIn.responseUrl(`${profile}-refused`) });
      await refused(box, { ...event, body: '%%% not base64' }, 400, /base64/);
      await refused(box, signedFormEvent('command=%2Flookup&text=x'), 400, /response_url/);
    });

    it('posts an apology when the job fails (Slack refuses the answer), and the layer logs the job as failed', async () => {
      const box = await sandbox();
      const url = standIn.responseUrl(`${profile}-fails`);
      standIn.answerNext(500);
      const mark = box.logMark();
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      const posts = standIn.postsTo(url);
      expect(posts.map((p) => p.status)).toEqual([500, 200]);
      expect(posts[1]?.body).toMatchObject({ text: expect.stringMatching(/^Sorry, .*something went wrong/) as unknown });
      expect(posts[1]?.at).toBeLessThan(result.frozenAt ?? NaN);
      const failed = extensionLogs(box.logsSince(mark)).find((l) => l.message === 'job failed');
      expect(failed).toMatchObject({ job: 'slack-follow-up', requestId: result.requestId });
    });
  });

  describe('with the layer, work longer than the function timeout', () => {
    const sandbox = sandboxFor(() =>
      startWithLayer({ profile, taskDir: EXAMPLE_DIR, handler: 'handler.handler', timeoutSeconds: 3, env: { ...env, SLACK_DEMO_WORK_MS: '60000' } }),
    );

    it('posts an apology when the deadline aborts the job, and the invoke does not time out', async () => {
      const box = await sandbox();
      const url = standIn.responseUrl(`${profile}-deadline`);
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      expect(httpResponse(result).statusCode).toBe(200);
      const posts = standIn.postsTo(url);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body).toMatchObject({ text: expect.stringMatching(/^Sorry, .*took too long/) as unknown });
      expect(posts[0]?.at).toBeLessThan(result.frozenAt ?? NaN);
      expect(result.body).not.toContain('Task timed out');
      expect(result.extensionReleasedAt, 'released by the extension, not ended by the timeout').toBeDefined();
    });
  });

  describe('without the layer (the client bundled, no extension)', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir: slackTaskDir({ bundledClient: true }), handler: 'handler.handler', env, withoutLayer: true }));

    it('acks, but the follow-up never arrives: the environment is frozen first', async () => {
      const box = await sandbox();
      const url = standIn.responseUrl(`${profile}-baseline`);
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      expect(httpResponse(result).statusCode).toBe(200);
      expect(box.logs()).toMatch(/no lambda-after-response extension is loaded/);
      await sleep(WORK_MS + 1500);
      expect(standIn.postsTo(url)).toEqual([]);
      ackTimes.push(`  ${profile} without the layer: cold ${ackMs(result).toFixed(1)} ms (follow-up frozen)`);
    });
  });

  describe('the Bolt variant with the layer (@slack/bolt shipped in /var/task/node_modules)', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir: slackTaskDir({ bolt: true }), handler: 'bolt.handler', timeoutSeconds: 10, env }));

    it('acks through Bolt and posts the answer via respond() before the freeze, cold and warm', async () => {
      await ackThenFollowUp(await sandbox(), `${profile} bolt.mjs`, 4);
    });

    it('posts an apology via respond() when Slack refuses the answer', async () => {
      const box = await sandbox();
      const url = standIn.responseUrl(`${profile}-bolt-fails`);
      standIn.answerNext(500);
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      const posts = standIn.postsTo(url);
      expect(posts.map((p) => p.status)).toEqual([500, 200]);
      expect(posts[1]?.body).toMatchObject({ text: expect.stringMatching(/^Sorry, .*something went wrong/) as unknown });
      expect(posts[1]?.at).toBeLessThan(result.frozenAt ?? NaN);
    });

    it('refuses what the plain handler refuses, with the same 401/400, and posts and queues nothing', async () => {
      const box = await sandbox();
      const responseUrl = standIn.responseUrl(`${profile}-bolt-refused`);
      const nowS = Math.floor(Date.now() / 1000);
      await refused(box, commandEvent({ text: 'x', responseUrl, secret: 'not-the-secret' }), 401, /Invalid X-Slack-Signature/);
      // Bolt alone: accepted (200 + a job) a timestamp in the future, a signed JSON body and a
      // command without response_url, and threw a SyntaxError (a 502) on an event without headers.
      await refused(box, commandEvent({ text: 'x', responseUrl, timestampS: nowS + 400 }), 401, /Stale request/);
      const json = signedFormEvent(JSON.stringify({ command: '/lookup', text: 'x', response_url: responseUrl }), { base64: false });
      await refused(box, { ...json, headers: { ...(json.headers as object), 'content-type': 'application/json' } }, 400, /Expected Content-Type application\/x-www-form-urlencoded/);
      await refused(box, signedFormEvent('command=%2Flookup&text=x'), 400, /response_url/);
      await refused(box, { version: '2.0', rawPath: '/', body: 'command=%2Flookup' }, 401, /Missing X-Slack-Signature/);
    });
  });
});

describe('on nodejs24.x in Managed Instances mode, concurrent commands on worker threads', () => {
  const mi = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '4' };
  const sandbox = sandboxFor(() =>
    startWithLayer({ profile: 'nodejs24.x', taskDir: EXAMPLE_DIR, handler: 'handler.handler', timeoutSeconds: 10, freeze: false, env: { ...env, ...mi } }),
  );

  it('each command gets its own answer on its own response_url, after its own ack', async () => {
    const box = await sandbox();
    const texts = ['alpha', 'beta gamma', 'delta epsilon zeta', 'eta theta iota kappa'];
    const urls = texts.map((_t, i) => standIn.responseUrl(`mi-${String(i)}`));
    const results = await box.invokeConcurrently(texts.map((text, i) => commandEvent({ text, responseUrl: urls[i] ?? '' })));
    expect(results.map((r) => (r.json() as { statusCode: number }).statusCode)).toEqual([200, 200, 200, 200]);
    // Nothing freezes here: the follow-ups arrive after the invokes returned, when the (shared,
    // loaded) machine gets to them: waited for, not given a fixed WORK_MS + 500 ms.
    await vi.waitFor(() => expect(urls.map((url) => standIn.postsTo(url).length)).toEqual([1, 1, 1, 1]), { timeout: 10_000, interval: 20 });
    for (const [i, text] of texts.entries()) {
      const posts = standIn.postsTo(urls[i] ?? '');
      expect(posts.map((p) => p.body)).toEqual([answer(text)]);
      expect(posts[0]?.at).toBeGreaterThan(results[i]?.responsePostedAt ?? Infinity);
    }
  });
});
