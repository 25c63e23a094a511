// A handler near its deadline: whether its jobs start is decided by the wall clock — when it
// enqueued and when it responded, against deadline − margin — never by which of the deadline's
// timer, the response and the queue's deferred start the event loop runs first. The clock moves
// without timers running (`block`: a handler blocking the event loop, or a timer that is late),
// and the deferred work (the queue's start, the handler's finish) waits until the test runs it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { deferred, flush, runtimeInvoke, trackerSetup } from './fakes.ts';

const MARGIN = 500;
const GRACE = 100;

function setup(mode: 'held' | 'unheld' = 'held') {
  const pending: Array<() => void> = [];
  const base = trackerSetup({ marginMs: MARGIN, graceMs: GRACE, defer: (run) => void pending.push(run) }, mode);
  /** Runs the deferred work, and what it defers in turn, then the promise reactions and immediates it led to. */
  const runDeferred = async (): Promise<void> => {
    for (let round = 0; round < 4; round++) {
      while (pending.length > 0) pending.shift()?.();
      await flush();
    }
  };
  const near = base.deadline - MARGIN;
  /** Moves the clock to `near + offset` without running a timer. */
  const blockUntil = (offset: number): void => base.timers.block(near + offset - base.timers.now());
  const warns = (): Array<Record<string, unknown>> => base.logger.records.filter((r) => String(r.message).startsWith('deadline near'));
  const summaries = (): Array<Record<string, unknown>> => base.logger.records.filter((r) => r.message === 'after-response summary');
  return { ...base, near, runDeferred, blockUntil, warns, summaries };
}

/** `signal.aborted` as each job function started. */
const recording = (seen: boolean[], result?: Promise<void>) => ({ signal }: JobContext) => {
  seen.push(signal.aborted);
  return result;
};

describe('a response at or after deadline − margin, before its timer ran', () => {
  it.each([
    ['the handler blocked the event loop past it', false],
    ['the handler awaited past it and the timer is late', true],
  ])('%s: the queued job never starts, whichever runs first after; one WARN, with handlerRunning', async (_case, awaits) => {
    const { tracker, timers, deadline, runDeferred, blockUntil, warns, summaries } = setup();
    const seen: boolean[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      blockUntil(-10);
      tracker.enqueue(recording(seen), 'queued'); // before deadline − margin
      if (awaits) await new Promise((resolve) => setImmediate(resolve));
      blockUntil(5);
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await runDeferred(); // the queue's deferred start before the timer: without the rule, the job started here
    await expect(released).resolves.toBe('deadline'); // nothing ran: released at the abort
    timers.advance(MARGIN); // the timer set for deadline − margin, then the deadline: nothing fires twice
    await runDeferred();
    expect(seen).toEqual([]);
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, running: [], neverStarted: ['queued (never started)'] })]);
    expect(summaries()).toEqual([expect.objectContaining({ outcome: 'deadline', enqueued: 1, started: 0, neverStarted: 1 })]);
  });
});

describe('the first job enqueued after deadline − margin, before its timer ran', () => {
  it('starts at once with its signal aborted and is held for the grace; the stale timer then fires nothing', async () => {
    const { tracker, timers, deadline, runDeferred, blockUntil, warns, summaries } = setup();
    const seen: boolean[] = [];
    const gate = deferred();
    const events: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      blockUntil(10);
      tracker.enqueue(recording(seen, gate.promise), 'late');
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    await runDeferred();
    expect(seen).toEqual([true]);
    expect(events).toEqual([]); // held: it is in its grace
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, running: [], neverStarted: [] })]);
    gate.resolve();
    await runDeferred();
    await released;
    expect(events).toEqual(['released: deadline']);
    timers.advance(MARGIN);
    await runDeferred();
    expect(warns()).toHaveLength(1);
    expect(summaries()).toEqual([expect.objectContaining({ outcome: 'deadline', enqueued: 1, started: 1, succeeded: 1, neverStarted: 0 })]);
  });
});

describe('drainAfterResponse() past deadline − margin with nothing enqueued', () => {
  it('brings the abort and the release at once, not at the grace\'s end', async () => {
    const { tracker, deadline, runDeferred, blockUntil, warns } = setup();
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    void runtimeInvoke(tracker, 'r1', deadline, async () => {
      blockUntil(10);
      await tracker.drain();
      events.push('drained');
    });
    await runDeferred(); // no timer runs: the grace's would release it too
    await released;
    expect([...events].sort()).toEqual(['drained', 'released: deadline']); // both, before any timer ran
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, running: [], neverStarted: [] })]);
  });
});

describe('a response before deadline − margin', () => {
  it("starts the queued job although the timer runs before the queue's deferred start", async () => {
    const { tracker, timers, deadline, runDeferred, blockUntil, warns } = setup();
    const seen: boolean[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      blockUntil(-10);
      tracker.enqueue(recording(seen), 'queued');
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    blockUntil(5);
    timers.advance(0); // the timer first
    expect(seen).toEqual([false]);
    await runDeferred();
    await expect(released).resolves.toBe('deadline');
    expect(warns()).toEqual([expect.not.objectContaining({ handlerRunning: true })]);
    expect(warns()[0]).toMatchObject({ neverStarted: [] });
  });
});

interface Schedule {
  readonly mode: 'held' | 'unheld';
  /** When the handler enqueues its one job, and then responds, ms from deadline − margin. */
  readonly enqueueAt: number;
  readonly respondAfter: number;
  /** The handler awaited before responding: timers due by then ran first. */
  readonly timerWhileRunning: boolean;
  /** How late the event loop comes back after the response, and whether the timer runs before the deferred work. */
  readonly lateBy: number;
  readonly timerFirst: boolean;
}

const schedules: fc.Arbitrary<Schedule> = fc.record({
  mode: fc.constantFrom('held' as const, 'unheld' as const),
  enqueueAt: fc.integer({ min: -3, max: 2 }),
  respondAfter: fc.integer({ min: 0, max: 4 }),
  timerWhileRunning: fc.boolean(),
  lateBy: fc.integer({ min: 0, max: 4 }),
  timerFirst: fc.boolean(),
});

/** The outcome the times alone decide: `signal.aborted` as the job started (none: never started), and the WARN's handlerRunning. */
function expected({ enqueueAt, respondAfter }: Schedule): { seen: boolean[]; handlerRunning: true | undefined } {
  if (enqueueAt >= 0) return { seen: [true], handlerRunning: true }; // the abort at the enqueue, the job placed after it
  if (enqueueAt + respondAfter >= 0) return { seen: [], handlerRunning: true }; // queued, dropped at the abort
  return { seen: [false], handlerRunning: undefined }; // started by the response
}

describe('the outcome near deadline − margin', () => {
  it('depends only on when the handler enqueued and responded, never on the order the event loop runs the timer, the response and the deferred start', async () => {
    await fc.assert(fc.asyncProperty(schedules, async (schedule) => {
      const { tracker, timers, deadline, runDeferred, blockUntil, warns, summaries } = setup(schedule.mode);
      const seen: boolean[] = [];
      await runtimeInvoke(tracker, 'r1', deadline, () => {
        blockUntil(schedule.enqueueAt);
        tracker.enqueue(recording(seen), 'job');
        blockUntil(schedule.enqueueAt + schedule.respondAfter);
        if (schedule.timerWhileRunning) timers.advance(0);
        tracker.responsePosted('r1', 'returned');
      });
      if (schedule.mode === 'held') void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
      timers.block(schedule.lateBy);
      if (schedule.timerFirst) timers.advance(0);
      await runDeferred();
      timers.advance(GRACE);
      await runDeferred();
      const want = expected(schedule);
      expect(seen).toEqual(want.seen);
      expect(warns().length).toBeLessThanOrEqual(1);
      for (const warn of warns()) expect(warn.handlerRunning).toBe(want.handlerRunning);
      if (want.handlerRunning) expect(warns()).toHaveLength(1);
      expect(summaries()).toEqual([expect.objectContaining({ enqueued: 1, started: want.seen.length, neverStarted: 1 - want.seen.length })]);
    }), { numRuns: 200 });
  });
});
