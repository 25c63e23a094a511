// AFTER_RESPONSE_ATTRIBUTION=invoke under RIE, both profiles: work belongs to the invoke in
// progress, else the next one, without AsyncLocalStorage. What the handler, a job and a request to
// a server created in an earlier invoke enqueue is held by their own invoke, as by default; what a
// timer of a released invoke enqueues at the thaw joins the invoke in progress and is held by it
// (by default it is the released invoke's, unheld: lifecycle-edges.test.ts, lazy-server.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

const ENV = { AFTER_RESPONSE_ATTRIBUTION: 'invoke' };
const WAIT = { timeout: 10_000, interval: 20 };

describe.each(PROFILES)('on %s, with AFTER_RESPONSE_ATTRIBUTION=invoke', (profile) => {
  // On nodejs22.x an enabled AsyncLocalStorage runs a promise hook on every promise the process makes, which leaves its symbols on it.
  const hooked = profile === 'nodejs22.x';
  describe.each([['invoke', false], ['async-context', hooked]] as const)('a handler, attribution %s, log level DEBUG', (attribution, stored) => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.storesOnPromises', env: { AFTER_RESPONSE_ATTRIBUTION: attribution, AFTER_RESPONSE_LOG_LEVEL: 'DEBUG' } }));

    it("the extension's start is logged once, with the attribution in effect and the layer version", async () => {
      const box = await sandbox();
      await box.invoke({});
      const started = extensionLogs(box.logs()).filter((l) => l.message === 'after-response extension started');
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ level: 'DEBUG', attribution, thread: 'main', managedInstances: false, logLevel: 'DEBUG' });
      expect(started[0]?.layerVersion).toEqual(expect.any(String));
    });

    it(`its promises carry ${stored ? "the extension's AsyncLocalStorage store" : 'no AsyncLocalStorage store'}`, async () => {
      const box = await sandbox();
      await box.invoke({});
      const { symbols } = (await box.invoke({})).json() as { symbols: string[] };
      if (stored) expect(symbols).toContain('Symbol(kResourceStore)');
      else expect(symbols).toEqual([]);
    });
  });

  describe('a job a timer enqueues 30 ms after the return', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.timerAfterReturn', env: ENV }));

    it('joins the next invoke, which holds it; no WARN', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp' });
      clearMarks(box, 'timer-job');
      const first = await box.invoke({ dir: '/tmp', arm: true });
      await new Promise((resolve) => setTimeout(resolve, 300)); // frozen: the timer is due at the thaw
      const second = await box.invoke({ dir: '/tmp' });
      const mark = readMark(box, 'timer-job');
      expect(mark?.requestId).toBe(second.requestId);
      expect(mark?.at, 'the job ran before the second invoke was released').toBeLessThanOrEqual(toEpoch(second.extensionReleasedAt ?? NaN));
      const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === second.requestId);
      expect(summary).toMatchObject({ outcome: 'settled', enqueued: 1, succeeded: 1 });
      expect(extensionLogs(box.logs()).filter((l) => l.requestId === first.requestId && l.level === 'WARN')).toEqual([]);
    });
  });

  describe('a server created lazily in the first invoke', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'lazy-server.handler', timeoutSeconds: 10, env: ENV }));

    it("holds each request's after() and enqueued job under its own invoke", async () => {
      const box = await sandbox();
      for (const tag of ['1', '2', '3']) {
        const result = await box.invoke({ dir: '/tmp', tag });
        expect(result.json()).toEqual({ requestContext: true });
        const released = toEpoch(result.extensionReleasedAt ?? NaN);
        const [after, job] = [readMark(box, `after-${tag}`), readMark(box, `job-${tag}`)];
        expect(job?.requestId).toBe(result.requestId);
        expect(after?.at).toBeGreaterThan(toEpoch(result.responsePostedAt ?? NaN));
        expect(after?.at).toBeLessThanOrEqual(released);
        expect(job?.at).toBeLessThanOrEqual(released);
        await vi.waitFor(() => expect(extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId)).toMatchObject({ outcome: 'settled', enqueued: 2, succeeded: 2 }), WAIT);
      }
    });
  });
});
