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
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, running: [], neverStarted: ['queued'] })]);
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
  it("resolves at once; the release comes with the handler's return, not at the grace's end", async () => {
    const { tracker, deadline, runDeferred, blockUntil, warns } = setup();
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    void runtimeInvoke(tracker, 'r1', deadline, async () => {
      blockUntil(10);
      await tracker.drain();
      events.push('drained');
      await flush();
      events.push('returns'); // held until now: the handler still ran, and what it enqueues in the grace gets it
      tracker.responsePosted('r1', 'returned');
    });
    await runDeferred(); // no timer runs: the grace's would release it too
    await released;
    expect(events).toEqual(['drained', 'returns', 'released: deadline']);
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

describe("past deadline − margin + grace (the grace's end), nothing is held", () => {
  const lateWarns = (records: ReadonlyArray<Record<string, unknown>>) => records.filter((r) => r.level === 'WARN' && String(r.message).startsWith('job enqueued after its invoke was released'));

  it('no grace left when the first job comes (an invoke shorter than margin − grace): released at once, the jobs run unheld and are named so, none as never started or abandoned', async () => {
    const { tracker, timers, logger, runDeferred, warns, summaries } = setup();
    const deadline = timers.now() + MARGIN - GRACE - 50;
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      tracker.enqueue(({ signal }) => void events.push(`honour starts, aborted: ${String(signal.aborted)}`), 'honour');
      tracker.enqueue(({ signal }) => {
        events.push(`deaf starts, aborted: ${String(signal.aborted)}`);
        return new Promise(() => {});
      }, 'deaf');
      await flush();
      tracker.responsePosted('r1', 'returned');
    });
    await runDeferred();
    await released;
    timers.advance(MARGIN);
    await runDeferred();
    expect(events).toEqual(['released: deadline', 'honour starts, aborted: true', 'deaf starts, aborted: true']);
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, running: [], neverStarted: [], graceLeftMs: 0 })]);
    expect(String(warns()[0]?.message)).toMatch(/no grace left/);
    expect(lateWarns(logger.records)).toEqual([expect.objectContaining({ job: 'honour', handlerRunning: true }), expect.objectContaining({ job: 'deaf', handlerRunning: true })]);
    expect(logger.records.filter((r) => String(r.message).startsWith('abandoning'))).toEqual([]);
    expect(summaries()).toEqual([]); // nothing was held: nothing to sum up
  });

  it.each([
    ['blocks the event loop', false],
    ['awaits (the timers run)', true],
  ])('a handler that %s past it, then enqueues: the same outcome by the clock — the earlier job never started, the new one runs unheld, named with handlerRunning', async (_case, awaits) => {
    const { tracker, timers, logger, deadline, runDeferred, blockUntil, warns, summaries } = setup();
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      blockUntil(-10);
      tracker.enqueue(() => void events.push('before starts'), 'before');
      if (awaits) {
        timers.advance(GRACE + 10); // deadline − margin, then the grace's end, pass with their timers run
        await runDeferred();
      } else blockUntil(GRACE + 10);
      events.push('handler enqueues');
      tracker.enqueue(({ signal }) => void events.push(`after starts, aborted: ${String(signal.aborted)}`), 'after');
      tracker.responsePosted('r1', 'returned');
    });
    await runDeferred();
    await released;
    timers.advance(MARGIN);
    await runDeferred();
    expect(events.indexOf('released: deadline')).toBeLessThan(events.indexOf('after starts, aborted: true'));
    expect(events.filter((e) => e !== 'released: deadline')).toEqual(['handler enqueues', 'after starts, aborted: true']);
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, neverStarted: ['before'] })]);
    expect(lateWarns(logger.records)).toEqual([expect.objectContaining({ job: 'after', handlerRunning: true })]);
    expect(String(lateWarns(logger.records)[0]?.message)).not.toMatch(/timer or callback/);
    expect(summaries()).toEqual([expect.objectContaining({ outcome: 'deadline', enqueued: 1, started: 0, neverStarted: 1 })]);
  });
});

describe("a job settling at or after deadline − margin + grace, before the response, the grace's timer late", () => {
  it('the response a turn after the handler returned (RIC 4.0.2 posts it after a setImmediate): the job that settled in between is abandoned, not counted succeeded', async () => {
    const { tracker, timers, logger, deadline, runDeferred, blockUntil, summaries } = setup();
    const gate = deferred();
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      blockUntil(10);
      tracker.enqueue(() => gate.promise.then(() => void events.push('slow settles')), 'slow');
      await runDeferred(); // it starts
      blockUntil(GRACE + 10); // then busy: the grace's timer cannot run
      gate.resolve();
      events.push('returns');
    });
    await flush(); // the job settles
    events.push('responds');
    tracker.responsePosted('r1', 'returned');
    await runDeferred();
    timers.advance(0);
    await released;
    expect(events).toEqual(['returns', 'slow settles', 'released: deadline', 'responds']);
    expect(logger.records.filter((r) => String(r.message).startsWith('abandoning'))).toEqual([expect.objectContaining({ jobs: ['slow'] })]);
    expect(summaries()).toEqual([expect.objectContaining({ outcome: 'deadline', started: 1, succeeded: 0, abandoned: 1 })]);
  });
});

describe("a response at or after deadline − margin + grace, the grace's timer late (the handler blocked the event loop)", () => {
  it.each([
    ['the abort came on time (its timer ran while the handler awaited)', true],
    ['the abort came late (with a job enqueued past deadline − margin)', false],
  ])('%s: the grace is over at the response — the job still running is abandoned, not counted succeeded when it settles before the late timer', async (_case, timerRan) => {
    const { tracker, timers, logger, deadline, runDeferred, blockUntil, summaries } = setup();
    const gate = deferred();
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason}`));
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      if (timerRan) {
        blockUntil(-10);
        tracker.enqueue(() => undefined, 'early'); // its set brings the timer at deadline − margin
        timers.advance(20); // the abort on time: 'early' dropped unstarted
        await runDeferred();
      } else blockUntil(10);
      tracker.enqueue(() => {
        events.push('slow starts');
        return gate.promise.then(() => void events.push('slow settles'));
      }, 'slow'); // held for the grace, its signal aborted
      await runDeferred(); // it starts
      blockUntil(GRACE + 10); // then busy: the grace's timer cannot run
      events.push('responds');
      tracker.responsePosted('r1', 'returned');
    });
    gate.resolve(); // settles before the late timer runs
    await runDeferred();
    timers.advance(0);
    await runDeferred();
    await released;
    expect(events).toEqual(['slow starts', 'responds', 'released: deadline', 'slow settles']);
    expect(logger.records.filter((r) => String(r.message).startsWith('abandoning'))).toEqual([expect.objectContaining({ jobs: ['slow'] })]);
    expect(summaries()).toEqual([expect.objectContaining({ outcome: 'deadline', started: 1, succeeded: 0, abandoned: 1 })]);
  });
});

describe('the deadline WARN with the handler still running', () => {
  it.each([
    ['a job queued before deadline − margin', -10, [/never started/], ['queued']],
    ['only a job enqueued after it', 10, [/start with their signal aborted/], []],
  ])('%s: says "never started" only when something never started', async (_case, enqueueAt, patterns, neverStarted) => {
    const { tracker, deadline, runDeferred, blockUntil, warns } = setup();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      blockUntil(enqueueAt);
      tracker.enqueue(() => undefined, 'queued');
      blockUntil(20);
      tracker.responsePosted('r1', 'returned');
    });
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await runDeferred();
    expect(warns()).toEqual([expect.objectContaining({ handlerRunning: true, neverStarted })]);
    const message = String(warns()[0]?.message);
    for (const pattern of patterns) expect(message).toMatch(pattern);
    if (neverStarted.length === 0) expect(message).not.toMatch(/never started/);
  });
});

interface Schedule {
  readonly mode: 'held' | 'unheld';
  /** A job queued earlier (before deadline − margin): the invoke has its job set, and its timer, already. */
  readonly earlier: boolean;
  /** When the handler enqueues its one job, and then responds, ms from deadline − margin (past GRACE: after the grace's end). */
  readonly enqueueAt: number;
  /** Also about GRACE: the handler blocks past the grace's end, its timer late unless `timerWhileRunning`. */
  readonly respondAfter: number;
  /** The job settles only when the response is out, before any timer can run (else as it starts). */
  readonly slow: boolean;
  /** The handler awaited before enqueuing: timers due by then ran first (else it blocked the event loop). */
  readonly timerBeforeEnqueue: boolean;
  /** The handler awaited before responding: timers due by then ran first. */
  readonly timerWhileRunning: boolean;
  /** How late the event loop comes back after the response, and whether the timer runs before the deferred work. */
  readonly lateBy: number;
  readonly timerFirst: boolean;
}

const schedules: fc.Arbitrary<Schedule> = fc.record({
  mode: fc.constantFrom('held' as const, 'unheld' as const),
  earlier: fc.boolean(),
  enqueueAt: fc.oneof(fc.integer({ min: -3, max: 2 }), fc.integer({ min: GRACE - 2, max: GRACE + 2 })),
  respondAfter: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: GRACE - 4, max: GRACE + 4 })),
  slow: fc.boolean(),
  timerBeforeEnqueue: fc.boolean(),
  timerWhileRunning: fc.boolean(),
  lateBy: fc.integer({ min: 0, max: 4 }),
  timerFirst: fc.boolean(),
});

/**
 * The outcome the times alone decide: `signal.aborted` as each job started (none: never started),
 * whether the job was held (counted), whether it was abandoned (held and started, and the response,
 * or the event loop's return after it when its function could first run and settle, came at or
 * after the grace's end: nothing is held from then, whether the grace's timer ran or not), and the
 * WARN's handlerRunning.
 */
function expected({ earlier, enqueueAt, respondAfter, lateBy }: Schedule): { earlier: boolean[]; job: boolean[]; held: number; started: number; abandoned: number; handlerRunning: true | undefined } {
  const respondedAt = enqueueAt + respondAfter;
  const respondedBeforeNear = respondedAt < 0;
  const before = earlier ? (respondedBeforeNear ? [false] : []) : []; // started by the response, or dropped at the abort
  const base = { earlier: before, handlerRunning: respondedBeforeNear ? undefined : true as const };
  const earlierCounts = { held: earlier ? 1 : 0, started: before.length };
  // Held and started: its function runs (deferred) when the event loop comes back after the response: abandoned if that is at or after the grace's end.
  const running = { abandoned: respondedAt + lateBy >= GRACE ? 1 : 0 };
  const none = { abandoned: 0 };
  // After the grace's end nothing is held: released first, the job runs unheld, its signal aborted.
  if (enqueueAt >= GRACE) return { ...base, ...none, job: [true], held: earlierCounts.held, started: earlierCounts.started };
  if (enqueueAt >= 0) return { ...base, ...running, job: [true], held: earlierCounts.held + 1, started: earlierCounts.started + 1 }; // the abort at the enqueue, the job placed after it
  if (!respondedBeforeNear) return { ...base, ...none, job: [], held: earlierCounts.held + 1, started: earlierCounts.started }; // queued, dropped at the abort
  return { ...base, ...running, job: [false], held: earlierCounts.held + 1, started: earlierCounts.started + 1 }; // started by the response
}

describe('the outcome near deadline − margin and past the grace\'s end', () => {
  it('depends only on when the handler enqueued and responded, never on the order the event loop runs the timers (also a grace timer late behind a blocking handler), the response and the deferred start', async () => {
    await fc.assert(fc.asyncProperty(schedules, async (schedule) => {
      const { tracker, timers, deadline, runDeferred, blockUntil, warns, summaries } = setup(schedule.mode);
      const seen: boolean[] = [];
      const seenEarlier: boolean[] = [];
      const gate = deferred();
      await runtimeInvoke(tracker, 'r1', deadline, () => {
        if (schedule.earlier) {
          blockUntil(-5);
          tracker.enqueue(recording(seenEarlier), 'earlier');
        }
        blockUntil(schedule.enqueueAt);
        if (schedule.timerBeforeEnqueue) timers.advance(0);
        tracker.enqueue(recording(seen, schedule.slow ? gate.promise : undefined), 'job');
        blockUntil(schedule.enqueueAt + schedule.respondAfter);
        if (schedule.timerWhileRunning) timers.advance(0);
        tracker.responsePosted('r1', 'returned');
        gate.resolve(); // a slow job settles now: after the response, before a late grace timer
      });
      if (schedule.mode === 'held') void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
      timers.block(schedule.lateBy);
      if (schedule.timerFirst) timers.advance(0);
      await runDeferred();
      timers.advance(GRACE);
      await runDeferred();
      const want = expected(schedule);
      expect(seen).toEqual(want.job);
      expect(seenEarlier).toEqual(want.earlier);
      expect(warns().length).toBeLessThanOrEqual(1);
      for (const warn of warns()) expect(warn.handlerRunning).toBe(want.handlerRunning);
      if (want.handlerRunning) expect(warns()).toHaveLength(1);
      expect(summaries()).toEqual(want.held === 0 ? [] : [expect.objectContaining({ enqueued: want.held, started: want.started, neverStarted: want.held - want.started })]);
      if (want.held > 0) expect(summaries()[0]).toMatchObject({ succeeded: want.started - want.abandoned, abandoned: want.abandoned });
    }), { numRuns: 300 });
  });
});
