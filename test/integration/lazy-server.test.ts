// A server created lazily inside the handler of invoke 1 receives invoke 2's and 3's requests:
// what its route hands to Next's after() (through the request context) and to
// enqueueAfterResponse is held under invoke 2's and 3's own request ids. A timer invoke 2's handler
// set still runs under invoke 2's id (unheld, after its release), also while invoke 3 runs.
import { describe, expect, it } from 'vitest';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

function expectHeld(box: Sandbox, result: InvokeResult, tag: string): void {
  expect(result.json()).toEqual({ requestContext: true });
  const posted = toEpoch(result.responsePostedAt ?? NaN);
  const released = toEpoch(result.extensionReleasedAt ?? NaN);
  const [after, job] = [readMark(box, `after-${tag}`), readMark(box, `job-${tag}`)];
  expect(after?.at, `after() of request ${tag} finished after the response, before the release`).toBeGreaterThan(posted);
  expect(after?.at).toBeLessThanOrEqual(released);
  expect(job?.requestId).toBe(result.requestId);
  expect(job?.at).toBeGreaterThan(posted);
  expect(job?.at).toBeLessThanOrEqual(released);
  const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
  expect(summary).toMatchObject({ outcome: 'settled', enqueued: 2, started: 2, succeeded: 2, failed: 0, abandoned: 0, neverStarted: 0 });
}

describe.each(PROFILES)('on %s, a server created lazily in the first invoke', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'lazy-server.handler', timeoutSeconds: 10 }));

  it("holds invoke 2's and 3's after() and enqueued jobs under their own request ids; invoke 2's timer stays invoke 2's", async () => {
    const box = await sandbox();
    const first = await box.invoke({ dir: '/tmp', tag: '1' });
    expectHeld(box, first, '1');
    clearMarks(box, 'timer-job');
    const second = await box.invoke({ dir: '/tmp', tag: '2', arm: true });
    expectHeld(box, second, '2');
    await new Promise((resolve) => setTimeout(resolve, 600)); // frozen: the timer is due at the thaw
    const third = await box.invoke({ dir: '/tmp', tag: '3' });
    expectHeld(box, third, '3');
    expect(readMark(box, 'timer-job')?.requestId).toBe(second.requestId);
    const warnings = extensionLogs(box.logs()).filter((l) => l.level === 'WARN' || l.level === 'ERROR');
    expect(warnings.map((l) => [l.requestId, l.job, String(l.message).slice(0, 40)])).toEqual([
      [second.requestId, 'timer-job', 'job enqueued after its invoke was releas'],
    ]);
  });
});
