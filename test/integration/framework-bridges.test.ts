// Unchanged framework code on Lambda, with the real npm packages under the rig (both profiles):
// Hono's c.executionCtx.waitUntil(), Middy with the middleware, @vercel/functions' waitUntil()
// and getDeadline(); each also without the layer, where it behaves as its framework documents.
import { describe, expect, it, vi } from 'vitest';
import { frameworkTaskDir, httpEvent } from './framework-helpers.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';

const NO_LAYER_WARNING = 'no lambda-after-response extension is loaded';

/** The work (a mark written after `ms`) ended after the response was posted and before the release. */
function expectHeldAfterResponse(box: Sandbox, result: InvokeResult, markName: string): void {
  const done = readMark(box, markName);
  expect(done, `${markName}: the work finished before the environment was released`).toBeDefined();
  expect(done?.at).toBeGreaterThan(toEpoch(result.responsePostedAt ?? NaN));
  expect(done?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
  expect(done?.requestId).toBe(result.requestId);
  const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
  expect(summary).toMatchObject({ outcome: 'settled', enqueued: 1, succeeded: 1, failed: 0, abandoned: 0 });
}

/** The runtime's deadline read in the handler, between two clock reads (test/fixtures/frameworks/vercel.mjs). */
interface Bracket {
  lower: number;
  upper: number;
}

/** getDeadline() is the invoke's deadline minus the default margin (500 ms), exactly: no tolerance. */
function expectDeadlineMinusMargin(deadline: string, fromContext: Bracket): void {
  const runtimeDeadline = Date.parse(deadline) + 500;
  expect(runtimeDeadline).toBeGreaterThanOrEqual(fromContext.lower);
  expect(runtimeDeadline).toBeLessThanOrEqual(fromContext.upper);
}

/** Without the layer nothing holds the environment: the runtime is frozen before the work ends. */
function expectFrozenBeforeWork(box: Sandbox, result: InvokeResult, markName: string): void {
  expect(result.status).toBe(200);
  expect(result.extensionReleasedAt).toBeUndefined();
  expect(readMark(box, markName), `${markName}: frozen before it could finish`).toBeUndefined();
}

describe.each(PROFILES)('on %s, framework bridges', (profile) => {
  const packages = ['hono', '@middy/core', '@vercel/functions'];

  describe('with the layer', () => {
    const taskDir = frameworkTaskDir(packages);
    const hono = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'hono.handler' }));
    const honoPlain = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'hono.plain' }));
    const middy = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'middy.handler' }));
    const vercel = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'vercel.handler', env: { AFTER_RESPONSE_REQUEST_CONTEXT: 'vercel' } }));

    it("Hono handle(withExecutionContext(app)): c.executionCtx.waitUntil() is held after the response", async () => {
      const box = await hono();
      const result = await box.invoke(httpEvent('POST', '/work', { dir: '/tmp', ms: 600 }));
      expect(result.json()).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
      expectHeldAfterResponse(box, result, 'hono-done');
      expect(box.logs()).not.toContain(NO_LAYER_WARNING);
    });

    it("Hono's own handle(app) is unchanged: c.executionCtx throws, Hono answers 500 (as it documents)", async () => {
      const box = await honoPlain();
      const result = await box.invoke(httpEvent('POST', '/work', { dir: '/tmp', ms: 10 }));
      expect(result.json()).toMatchObject({ statusCode: 500 });
      expect(box.logs()).toContain('This context has no ExecutionContext');
    });

    // streamHandle is asked for on nodejs24.x only (issue 10); registered there, not skipped elsewhere.
    const honoStream = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'hono-stream.handler' }));
    if (profile === 'nodejs24.x') it('Hono streamHandle(withExecutionContext(app)): streamed, then c.executionCtx.waitUntil() is held', async () => {
      const box = await honoStream();
      const result = await box.invoke(httpEvent('POST', '/work', { dir: '/tmp', ms: 600 }));
      expect(result.body).toContain('{"ok":true}');
      expectHeldAfterResponse(box, result, 'hono-done');
    });

    it('Middy with waitUntilMiddleware(): context.waitUntil() is held after the response', async () => {
      const box = await middy();
      const result = await box.invoke({ dir: '/tmp', ms: 600 });
      expect(result.json()).toEqual({ ok: true });
      expectHeldAfterResponse(box, result, 'middy-done');
    });

    it("@vercel/functions: waitUntil() is held, getDeadline() is the invoke's deadline minus the margin, undefined at init", async () => {
      const box = await vercel();
      const result = await box.invoke({ dir: '/tmp', ms: 600 });
      const body = result.json() as { atInit: { deadline: null; waitUntil: string }; deadline: string; deadlineFromContext: Bracket; badInput: string };
      expect(body.atInit).toEqual({ deadline: null, waitUntil: 'undefined' });
      expectDeadlineMinusMargin(body.deadline, body.deadlineFromContext);
      expect(body.badInput).toBe('TypeError: waitUntil can only be called with a Promise, got number');
      expectHeldAfterResponse(box, result, `vercel-done-${result.requestId}`);
    });
  });

  describe("with the layer's own copy of the client (not bundled: import and require of the subpath)", () => {
    const taskDir = frameworkTaskDir(['@middy/core', 'hono'], { withClient: false });
    const esm = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'middy.handler' }));
    const cjs = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'hono-cjs.handler' }));

    it('lambda-after-response/middy (import) and /hono (require) resolve from /opt/nodejs/node_modules', async () => {
      const fromEsm = await esm();
      expectHeldAfterResponse(fromEsm, await fromEsm.invoke({ dir: '/tmp', ms: 300 }), 'middy-done');
      const fromCjs = await cjs();
      expectHeldAfterResponse(fromCjs, await fromCjs.invoke(httpEvent('POST', '/work', { dir: '/tmp', ms: 300 })), 'hono-cjs-done');
    });
  });

  describe('without the layer (client bundled in the function)', () => {
    const taskDir = frameworkTaskDir(packages);
    const hono = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'hono.handler', withoutLayer: true }));
    const middy = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'middy.handler', withoutLayer: true }));
    const vercel = sandboxFor(() => startWithLayer({ profile, taskDir, handler: 'vercel.handler', withoutLayer: true }));

    it('Hono and Middy answer at once; the work runs in-process, unheld, with one warning, and is frozen', async () => {
      for (const [box, event, name] of [[await hono(), httpEvent('POST', '/work', { dir: '/tmp', ms: 600 }), 'hono-done'], [await middy(), { dir: '/tmp', ms: 600 }, 'middy-done']] as const) {
        clearMarks(box, name);
        const result = await box.invoke(event);
        expectFrozenBeforeWork(box, result, name);
        expect(box.logs()).toContain(NO_LAYER_WARNING);
        // The frozen work finishes only once the environment is thawed (on Lambda: by a later invoke, if any).
        box.thaw();
        await vi.waitFor(() => expect(readMark(box, name)).toBeDefined(), { timeout: 10_000, interval: 20 });
        box.freeze();
      }
    });

    it('@vercel/functions: no request context, so waitUntil() does nothing (no error) and getDeadline() is undefined', async () => {
      const box = await vercel();
      const result = await box.invoke({ dir: '/tmp', ms: 600 });
      expect(result.json()).toMatchObject({ deadline: null });
      expectFrozenBeforeWork(box, result, `vercel-done-${result.requestId}`);
    });
  });
});

describe('on nodejs24.x in Managed Instances mode, request contexts are per invoke', () => {
  const env = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '4', AFTER_RESPONSE_REQUEST_CONTEXT: 'vercel' };
  const taskDir = frameworkTaskDir(['@vercel/functions']);
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs24.x', taskDir, handler: 'vercel.handler', env, freeze: false, timeoutSeconds: 10 }));

  it("each concurrent invoke's waitUntil() joins its own invoke, and its getDeadline() is its own", async () => {
    const box = await sandbox();
    const results = await box.invokeConcurrently([1, 2, 3, 4].map(() => ({ dir: '/tmp', ms: 300, overlapMs: 300 })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Nothing freezes here: each invoke's summary is logged once its waitUntil() work settled.
    const summarized = () => results.filter((r) => extensionLogs(box.logs()).some((l) => l.message === 'after-response summary' && l.requestId === r.requestId));
    await vi.waitFor(() => expect(summarized()).toHaveLength(4), { timeout: 10_000, interval: 20 });
    const logs = extensionLogs(box.logs());
    for (const result of results) {
      const body = result.json() as { requestId: string; deadline: string; deadlineFromContext: Bracket };
      expect(body.requestId).toBe(result.requestId);
      expectDeadlineMinusMargin(body.deadline, body.deadlineFromContext);
      expect(readMark(box, `vercel-done-${result.requestId}`)?.requestId).toBe(result.requestId);
      const summary = logs.find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
      expect(summary, `summary of ${result.requestId}`).toMatchObject({ enqueued: 1, succeeded: 1 });
    }
    expect(logs.filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  });
});
