// An invoke that starts inside its margin (the function's timeout at or below
// AFTER_RESPONSE_DEADLINE_MARGIN_MS, or init time spent inside the invoke's own timeout): deadline −
// margin has passed before the handler ran, so every invoke aborts its jobs at once — the handler
// waits for nothing. The WARNs name both numbers, the time left at the start and the margin, and
// the fix is the timeout against the margin, not the handler's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flush, runtimeInvoke, trackerSetup } from './fakes.ts';

const MARGIN = 500;
const GRACE = 100;
const MARGIN_FIX = "Fix: raise the function's timeout above the margin, or lower the margin";
const HANDLER_FIX = 'make the handler respond sooner';

/** One invoke starting with `leftMs` left: the handler blocks `blockMs`, enqueues one job that settles at once, returns. */
async function invokeWithLeft(leftMs: number, blockMs = 0) {
  const { tracker, timers, logger } = trackerSetup({ marginMs: MARGIN, graceMs: GRACE });
  const deadline = timers.now() + leftMs;
  void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
  await runtimeInvoke(tracker, 'r1', deadline, () => {
    timers.block(blockMs);
    tracker.enqueue(() => undefined, 'job');
    tracker.responsePosted('r1', 'returned');
  });
  await flush();
  timers.advance(GRACE);
  await flush();
  const deadlineWarn = logger.records.find((r) => String(r.message).startsWith('deadline near'));
  const lateWarn = logger.records.find((r) => String(r.message).startsWith('job enqueued after its invoke was released'));
  return { deadlineWarn, lateWarn };
}

describe('an invoke that starts inside its margin', () => {
  it('with some grace left: the deadline WARN names the time left at the start and the margin, and the fix is the timeout against the margin', async () => {
    const { deadlineWarn, lateWarn } = await invokeWithLeft(MARGIN - 30);
    expect(deadlineWarn).toMatchObject({ handlerRunning: true, leftAtStartMs: MARGIN - 30, marginMs: MARGIN, graceLeftMs: GRACE - 30 });
    const message = String(deadlineWarn?.message);
    expect(message).toContain(`The invoke started with ${String(MARGIN - 30)} ms left, inside the ${String(MARGIN)} ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS)`);
    expect(message).toContain(MARGIN_FIX);
    expect(message).not.toContain(HANDLER_FIX);
    expect(lateWarn).toBeUndefined();
  });

  it('with no grace left: the deadline WARN and the late WARN naming the unheld job both give the timeout against the margin', async () => {
    const left = MARGIN - GRACE - 50;
    const { deadlineWarn, lateWarn } = await invokeWithLeft(left);
    expect(deadlineWarn).toMatchObject({ handlerRunning: true, leftAtStartMs: left, graceLeftMs: 0 });
    expect(String(deadlineWarn?.message)).toMatch(/^deadline near, no grace left/);
    expect(String(deadlineWarn?.message)).toContain(MARGIN_FIX);
    expect(lateWarn).toMatchObject({ job: 'job', handlerRunning: true, leftAtStartMs: left });
    expect(String(lateWarn?.message)).toContain(`the invoke started with ${String(left)} ms left, inside the ${String(MARGIN)} ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS)`);
    expect(String(lateWarn?.message)).toContain(MARGIN_FIX);
    expect(String(lateWarn?.message)).not.toContain(HANDLER_FIX);
  });

  it('any time left at the start and any time the handler takes: the margin fix exactly when the invoke started at or after deadline − margin, the handler\'s otherwise', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: MARGIN + 60 }), fc.integer({ min: 0, max: 60 }), async (left, block) => {
      const { deadlineWarn, lateWarn } = await invokeWithLeft(left, block);
      const inside = left <= MARGIN;
      if (!inside && left - block > MARGIN) {
        expect(deadlineWarn).toBeUndefined(); // the job ran before deadline − margin
        return;
      }
      for (const warn of [deadlineWarn, lateWarn].filter((w) => w !== undefined)) {
        expect(warn.leftAtStartMs).toBe(inside ? left : undefined);
        expect(String(warn.message).includes(MARGIN_FIX)).toBe(inside);
        expect(String(warn.message).includes(HANDLER_FIX)).toBe(!inside);
      }
      expect(deadlineWarn?.handlerRunning).toBe(true);
    }), { numRuns: 200 });
  });
});
