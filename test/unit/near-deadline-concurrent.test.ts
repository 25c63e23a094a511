// Concurrent invokes (Managed Instances: unheld, many invokes at once): the wall-clock rule at
// deadline − margin is each invoke's own. One invoke past its deadline − margin aborts its jobs'
// signal; another, with time left, in the same process at the same moment, does not.
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { flush, runtimeInvoke, trackerSetup } from './fakes.ts';

const MARGIN = 500;
const GRACE = 100;

describe('deadline − margin by the clock, with concurrent invokes', () => {
  it("a job enqueued past its own invoke's deadline − margin starts aborted; one of an invoke with time left does not; one WARN, the late invoke's", async () => {
    const { tracker, timers, deadline, logger } = trackerSetup({ marginMs: MARGIN, graceMs: GRACE }, 'unheld');
    const aborted: Record<string, boolean> = {};
    const job = (name: string) => ({ signal }: JobContext): void => void (aborted[name] = signal.aborted);
    const late = deadline; // reached first
    const early = deadline + 5_000;
    let release!: () => void;
    const bothIn = new Promise<void>((resolve) => (release = resolve));
    const a = runtimeInvoke(tracker, 'a', late, async () => {
      await bothIn;
      tracker.enqueue(job('a'), 'ja');
    });
    const b = runtimeInvoke(tracker, 'b', early, async () => {
      await bothIn;
      tracker.enqueue(job('b'), 'jb');
    });
    await flush();
    timers.block(late - MARGIN + 10 - timers.now()); // past a's deadline − margin, no timer run (a blocked event loop)
    release();
    await Promise.all([a, b]);
    tracker.responsePosted('a', 'returned');
    tracker.responsePosted('b', 'returned');
    await flush();
    expect(aborted).toEqual({ a: true, b: false });
    const warns = logger.records.filter((r) => String(r.message).startsWith('deadline near'));
    expect(warns).toEqual([expect.objectContaining({ requestId: 'a' })]);
  });
});
