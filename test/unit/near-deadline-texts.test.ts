// The `deadline near` WARN's fields and fix, read by people and by `npm run invoke`
// (test/demo/invoke-jobs-seen.ts): `neverStarted` names the jobs bare, as `running`, the
// `abandoning` WARN's `jobs` and the test kit's `jobs[].name` do (it was `x (never started)`); and
// with the handler still running, one fix that fits a handler awaiting something and one blocking
// the event loop (it was "find what the handler waits for": a busy loop waits for nothing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HANDLER_SOONER } from '../../extension/core/deadline-texts.ts';
import { flush, runtimeInvoke, trackerSetup } from './fakes.ts';

const MARGIN = 500;
const GRACE = 100;

/** One invoke: the handler enqueues `names` before deadline − margin, then blocks (or awaits) until `respondAt` past it, enqueues `late` and responds. */
async function lateHandler({ names, respondAt, awaits, late }: { readonly names: readonly string[]; readonly respondAt: number; readonly awaits: boolean; readonly late?: string }) {
  const { tracker, timers, logger, deadline } = trackerSetup({ marginMs: MARGIN, graceMs: GRACE });
  const near = deadline - MARGIN;
  const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
  await runtimeInvoke(tracker, 'r1', deadline, async () => {
    for (const name of names) tracker.enqueue(() => undefined, name);
    if (awaits) {
      timers.advance(near + respondAt - timers.now()); // its timers run: the abort, the grace's end
      await flush();
    } else timers.block(near + respondAt - timers.now()); // the event loop blocked: no timer runs
    if (late !== undefined) tracker.enqueue(() => undefined, late);
    tracker.responsePosted('r1', 'returned');
  });
  await flush();
  timers.advance(MARGIN);
  await released;
  const messages: Array<Record<string, unknown> & { readonly message: string }> = logger.records.filter((r) => r.level === 'WARN').map((r) => ({ ...r, message: String(r.message) }));
  return { near: messages.find((r) => r.message.startsWith('deadline near')), late: messages.find((r) => r.message.startsWith('job enqueued after its invoke was released')) };
}

describe('the deadline near WARN', () => {
  it('any job names: `neverStarted` lists them as enqueued, bare, in order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.string({ minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 4 }), async (names) => {
      const { near } = await lateHandler({ names, respondAt: 10, awaits: false });
      expect(near?.neverStarted).toEqual(names);
    }), { numRuns: 40 });
  });

  it.each([
    ['blocked the event loop', false],
    ['awaited', true],
  ])('a handler that %s past deadline − margin + grace: one fix for both, in the WARN and in the late job\'s WARN', async (_case, awaits) => {
    const { near, late } = await lateHandler({ names: ['queued'], respondAt: GRACE + 10, awaits, late: 'late' });
    for (const warn of [near, late]) {
      expect(warn).toEqual(expect.objectContaining({ handlerRunning: true }));
      expect(warn?.message).toContain(`Fix: raise the function's timeout, or ${HANDLER_SOONER}`);
      expect(warn?.message).not.toMatch(/waits for/);
    }
    expect(HANDLER_SOONER).toMatch(/awaits/);
    expect(HANDLER_SOONER).toMatch(/blocking the event loop/);
  });
});
