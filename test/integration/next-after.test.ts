// A real Next.js 16 app (test/fixtures/next-app, built once by `next build`, standalone output,
// cached by test/rig/next-app.ts) served from a Lambda handler that forwards each event to Next's
// request handler: unchanged `after()` code in a route handler and in a page is held after the
// response with the layer, and frozen (lost unless a later invoke thaws it) without it.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNextApp } from '../rig/next-app.ts';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';
import { httpEvent } from './framework-helpers.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

let taskDir = '';
let openNextDir = '';
let standaloneAppDir = '';
beforeAll(async () => {
  ({ standalone: taskDir, openNext: openNextDir, standaloneAppDir } = await ensureNextApp());
}, 600_000);

const route = (name: string, ms = 600) => ({ path: '/api/after', method: 'POST', body: { ms, name } });

function expectAfterHeld(box: Sandbox, result: InvokeResult, markName: string, options: { requestIdHeader: boolean } = { requestIdHeader: true }): void {
  const done = readMark(box, markName);
  expect(done, `${markName}: the after() callback finished before the release`).toBeDefined();
  if (options.requestIdHeader) expect(done?.requestId).toBe(result.requestId);
  // The response did not wait for the callback's work (OpenNext's own wrapper does: see below).
  expect(done?.at).toBeGreaterThan(toEpoch(result.responsePostedAt ?? NaN));
  expect(done?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
  const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
  expect(summary).toMatchObject({ outcome: 'settled', failed: 0, abandoned: 0 });
}

describe.each(PROFILES)('on %s, Next.js after()', (profile) => {
  describe('with the layer (AFTER_RESPONSE_REQUEST_CONTEXT default: next)', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'lambda.handler' }));

    it('a route handler: the response is posted before the after() callback completes, the callback completes before the freeze', async () => {
      const box = await sandbox();
      await box.invoke(route('next-warm', 1)); // cold start: Next's prepare()
      const result = await box.invoke(route('next-route-done'));
      expect(result.json()).toEqual({ statusCode: 200, body: '{"ok":true}' });
      const posted = (result.responsePostedAt ?? NaN) - result.startedAt;
      console.log(`${profile} next route: response posted ${posted.toFixed(1)} ms after invoke start, released ${((result.extensionReleasedAt ?? NaN) - result.startedAt).toFixed(1)} ms`);
      expectAfterHeld(box, result, 'next-route-done');
    });

    it('a page: after() scheduled during render is held the same way', async () => {
      const box = await sandbox();
      const result = await box.invoke({ path: '/' });
      const response = result.json() as { statusCode: number; body: string };
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('rendered');
      expectAfterHeld(box, result, 'next-page-done');
    });
  });

  describe('without the layer', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'lambda.handler', withoutLayer: true }));

    it("answers as usual, but the after() callback waits on Next's internal awaiter and is frozen before it completes", async () => {
      const box = await sandbox();
      await box.invoke(route('next-warm', 1));
      clearMarks(box, 'next-lost');
      const result = await box.invoke(route('next-lost'));
      expect(result.json()).toEqual({ statusCode: 200, body: '{"ok":true}' });
      expect(readMark(box, 'next-lost'), 'frozen before it could complete').toBeUndefined();
    });
  });
});

describe.each(PROFILES)("on %s, Next.js after() behind the example handler (examples/next-standalone/handler.mjs)", (profile) => {
  const post = (name: string) => httpEvent('POST', '/api/after', { ms: 600, name });
  const sandbox = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'next-standalone-example.handler', env: { NEXT_STANDALONE_APP_DIR: standaloneAppDir } }));

  it('forwards a payload 2.0 event: the response is posted at once, after() is held', async () => {
    const box = await sandbox();
    await box.invoke(post('example-warm'));
    const result = await box.invoke(post('example-done'));
    const response = result.json() as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
    expect(response).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(response.headers['content-type']).toContain('application/json');
    expect(Buffer.from(response.body, 'base64').toString('utf8')).toBe('{"ok":true}');
    expectAfterHeld(box, result, 'example-done');
    const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
    // One after(callback): one promise for the request's after() callbacks (measured: enqueued 1).
    expect(summary).toMatchObject({ enqueued: 1, succeeded: 1 });
  });

  it('a page: the HTML comes back decoded (fetch() decompressed it: no content-encoding passed on), after() held', async () => {
    const box = await sandbox();
    const result = await box.invoke({ ...httpEvent('GET', '/', undefined), body: undefined });
    const response = result.json() as { statusCode: number; headers: Record<string, string>; body: string };
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(response.body, 'base64').toString('utf8')).toContain('rendered');
    expectAfterHeld(box, result, 'next-page-done');
  });
});

describe.each(PROFILES)('on %s, Next.js after() built by OpenNext (open-next build, aws-lambda wrapper)', (profile) => {
  const post = (name: string) => httpEvent('POST', '/api/after', { ms: 600, name });
  const withOurs = sandboxFor(() => startWithLayer({ profile, taskDir: openNextDir, handler: 'index.handler' }));
  const openNextDefault = sandboxFor(() => startWithLayer({ profile, taskDir: openNextDir, handler: 'index.handler', env: { OPEN_NEXT_DEFAULT_WRAPPER: 'true' } }));

  it('wrapped by withWaitUntil: the response is posted at once and after() is held until it completes', async () => {
    const box = await withOurs();
    await box.invoke(post('opennext-warm'));
    const result = await box.invoke(post('opennext-done'));
    expect(result.json()).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expectAfterHeld(box, result, 'opennext-done', { requestIdHeader: false });
  });

  it("OpenNext's own wrapper (its default) awaits after() before it responds: the response waits for the work", async () => {
    const box = await openNextDefault();
    await box.invoke(post('opennext-warm'));
    const result = await box.invoke(post('opennext-awaited'));
    expect(result.json()).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    const done = readMark(box, 'opennext-awaited');
    expect(done?.at).toBeLessThan(toEpoch(result.responsePostedAt ?? NaN));
  });
});
