// The summary's counters add up for every kind of job, over random schedules of enqueues,
// settlements, the response, the deadline and the grace, against the real Lifecycle, Invoke and
// InvokeJobs with manual timers: every counted job ends in exactly one state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import type { InvokeSummary } from '../../extension/core/invoke.ts';
import type { Lifecycle } from '../../extension/core/lifecycle.ts';
import { createReservations } from '../../extension/socket/spawn-reservations.ts';
import { deferred, flush, runtimeInvoke, trackerSetup } from './fakes.ts';

/** How a job behaves: settles when the schedule says, settles at its abort, or never. */
const behaviour = fc.constantFrom('settled-later', 'stops-at-abort', 'apologises-at-abort', 'deaf', 'throws');

const action = fc.oneof(
  fc.record({ t: fc.constant('function' as const), how: behaviour }),
  fc.record({ t: fc.constant('promise' as const), how: behaviour }),
  fc.record({ t: fc.constant('socket' as const), how: behaviour }),
  fc.record({ t: fc.constant('hold-command' as const), how: behaviour }),
  fc.record({ t: fc.constant('first-line-hold' as const) }),
  fc.record({ t: fc.constant('settle' as const), pick: fc.nat(), ok: fc.boolean() }),
  fc.record({ t: fc.constant('respond' as const) }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({ t: fc.constant('turn' as const) }),
);

const schedule = fc.record({
  concurrency: fc.constantFrom(1, 2, Infinity),
  graceMs: fc.constantFrom(0, 100, 250),
  flushers: fc.array(fc.constantFrom('ok', 'fails', 'hangs'), { maxLength: 2 }),
  actions: fc.array(action, { maxLength: 25 }),
});

type Schedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;
type How = 'settled-later' | 'stops-at-abort' | 'apologises-at-abort' | 'deaf' | 'throws';

/** Runs one schedule in invoke r1 and returns its summary and how many counted jobs it enqueued. */
async function run({ concurrency, graceMs, flushers, actions }: Schedule): Promise<{ summaries: InvokeSummary[]; counted: number }> {
  const summaries: InvokeSummary[] = [];
  const { tracker, timers, deadline, logger } = trackerSetup({ concurrency, graceMs, onSummary: (summary) => void summaries.push(structuredClone(summary)) });
  for (const [i, how] of flushers.entries()) tracker.addFlusher(() => (how === 'ok' ? undefined : how === 'fails' ? Promise.reject(new Error('x')) : new Promise(() => {})), `flusher-${i}`);
  const pending: Array<(ok: boolean) => void> = [];
  let enqueued = 0;
  const reservations = createReservations(tracker, () => `ticket-${Math.random()}`);
  await runtimeInvoke(tracker, 'r1', deadline, async () => {
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    for (const step of actions) {
      if ('how' in step) enqueued += enqueue(tracker, step.t, step.how, pending, reservations);
      else if (step.t === 'first-line-hold') pending.push(externalSettler(tracker.openExternal('socket connection (first request pending)', { internal: true })));
      else if (step.t === 'settle') pending.splice(step.pick % Math.max(1, pending.length), 1)[0]?.(step.ok);
      else if (step.t === 'respond') tracker.responsePosted('r1', 'returned');
      else if (step.t === 'advance') timers.advance(step.ms);
      else await flush(1);
    }
    tracker.responsePosted('r1', 'returned');
  });
  for (let i = 0; i < 4 && summaries.length === 0; i++) {
    await flush();
    timers.advance(3000);
  }
  await flush();
  // Jobs enqueued after the release (the schedule responded and let a turn pass) are late: not counted.
  const late = logger.records.filter((r) => String(r.message).startsWith('job enqueued after its invoke was released')).length;
  return { summaries, counted: enqueued - late };
}

/** Enqueues one counted job of a kind; returns 1 if it joins the invoke (counted), else 0. */
function enqueue(tracker: Lifecycle, kind: 'function' | 'promise' | 'socket' | 'hold-command', how: How, pending: Array<(ok: boolean) => void>, reservations: ReturnType<typeof createReservations>): number {
  const done = deferred();
  done.promise.catch(() => undefined); // a job that never started still settles its promise
  const settler = (ok: boolean): void => (ok ? done.resolve() : done.reject(new Error('failed')));
  const onAbort = (): void => {
    if (how === 'stops-at-abort') settler(true);
    if (how === 'apologises-at-abort') {
      tracker.enqueue(() => undefined, 'apology');
      settler(true);
    }
  };
  if (kind === 'function') {
    tracker.enqueue(({ signal }: JobContext) => {
      if (how === 'throws') throw new Error('sync throw');
      signal.addEventListener('abort', onAbort);
      return done.promise;
    }, 'function');
  } else if (kind === 'promise') {
    tracker.enqueue(how === 'throws' ? Promise.reject(new Error('rejects')) : done.promise, 'promise');
  } else {
    const job = kind === 'socket' ? tracker.openExternal('socket job') : reservations.claim(reservations.reserve('sleep 30'));
    if (!job) throw new Error('the reservation was not claimed');
    job.onAbort(onAbort);
    void done.promise.then(() => job.finish({ ok: true }), () => job.finish({ ok: false, message: 'killed by SIGTERM' }));
    if (how === 'throws') settler(false);
  }
  if (how === 'settled-later') pending.push(settler);
  return 1;
}

function externalSettler(job: { finish(outcome: { ok: true }): void }): (ok: boolean) => void {
  return () => job.finish({ ok: true });
}

describe('the after-response summary', () => {
  it('adds up for every kind of job over any schedule: each counted job ends in exactly one state', async () => {
    await fc.assert(fc.asyncProperty(schedule, async (input) => {
      const { summaries, counted } = await run(input);
      if (counted > 0) expect(summaries).toHaveLength(1);
      if (summaries.length === 0) return; // nothing to report: no jobs, no flusher failed or hung
      expect(summaries).toHaveLength(1);
      const [{ stats, flushStats }] = summaries as [InvokeSummary];
      expect(stats.enqueued).toBeGreaterThanOrEqual(counted); // plus the apologies enqueued at the abort
      expect(stats.enqueued).toBe(stats.succeeded + stats.failed + stats.abandoned + stats.neverStarted);
      expect(stats.started).toBeGreaterThanOrEqual(stats.succeeded + stats.failed);
      expect(stats.enqueued).toBe(stats.started + stats.neverStarted);
      if (flushStats) expect(flushStats.flushed + flushStats.flushFailed + flushStats.flushAbandoned).toBe(input.flushers.length);
    }), { numRuns: 300 });
  });

  it('a hold command that outlives the deadline, killed and failed: started 1, failed 1', async () => {
    const summaries: InvokeSummary[] = [];
    const { tracker, timers, deadline } = trackerSetup({ graceMs: 250, onSummary: (summary) => void summaries.push(summary) });
    const reservations = createReservations(tracker, () => 'ticket');
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      const job = reservations.claim(reservations.reserve('sleep 30'));
      job?.onAbort(() => queueMicrotask(() => job.finish({ ok: false, message: 'sleep was killed by SIGTERM (status 143)' })));
      tracker.responsePosted('r1', 'returned');
    });
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    timers.advance(2500);
    await flush();
    expect(summaries.map((s) => s.stats)).toEqual([{ enqueued: 1, started: 1, succeeded: 0, failed: 1, abandoned: 0, neverStarted: 0 }]);
  });

  it("does not count a socket connection's first-line hold, even when the grace abandons it", async () => {
    const summaries: InvokeSummary[] = [];
    const { tracker, timers, deadline } = trackerSetup({ graceMs: 100, onSummary: (summary) => void summaries.push(summary) });
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.openExternal('socket connection (first request pending)', { internal: true });
      tracker.enqueue(Promise.resolve(), 'quick');
      tracker.responsePosted('r1', 'returned');
    });
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await flush();
    timers.advance(2600);
    await flush();
    expect(summaries.map((s) => s.stats)).toEqual([{ enqueued: 1, started: 1, succeeded: 1, failed: 0, abandoned: 0, neverStarted: 0 }]);
  });
});
