import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { deferred, flush, runtimeInvoke, trackerSetup as setup } from './fakes.ts';

describe('Lifecycle (between invokes, external jobs, draining)', () => {
  it('when the loop ends, keeps running what it held and logs the summary only once the jobs settled', async () => {
    const { tracker, deadline, logger } = setup();
    const stuck = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => stuck.promise, 'stuck');
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'streamed');
    tracker.loopStopped();
    await flush();
    expect(tracker.mode).toEqual({ kind: 'stopped' });
    expect(logger.records.filter((r) => r.message === 'after-response summary')).toEqual([]);
    stuck.resolve();
    await flush();
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', outcome: 'settled', succeeded: 1 });
  });

  it('drains: resolves once every job has settled', async () => {
    const { tracker, deadline } = setup();
    const work = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => work.promise, 'w');
    tracker.responsePosted('r1', 'streamed');
    let drained = false;
    void tracker.drain().then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    work.resolve();
    await flush();
    expect(drained).toBe(true);
  });
  it("holds external jobs like promises, tells them the invoke's deadline, and keeps internal holds out of the summary", async () => {
    const { tracker, deadline, logger } = setup();
    tracker.invokeStarted('r1', deadline);
    const job = tracker.openExternal('resize');
    const internal = tracker.openExternal('socket first line', { internal: true });
    expect([job.requestId(), job.deadlineMs()]).toEqual(['r1', deadline]);
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    let released = false;
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    internal.finish({ ok: true });
    await flush();
    expect(released).toBe(false);
    job.finish({ ok: false, message: 'exit 3' });
    await hold;
    expect(logger.records.find((r) => r.message === 'job failed')).toMatchObject({ job: 'resize', errorType: 'ExternalJobError', errorMessage: 'exit 3' });
    expect(logger.records.at(-1)).toMatchObject({ enqueued: 1, failed: 1, succeeded: 0 });
  });

  it('gives jobs enqueued between invokes to the next invoke', async () => {
    const { tracker, deadline } = setup();
    const seen: string[] = [];
    tracker.invokeStarted('r1', deadline);
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'between');
    tracker.invokeStarted('r2', deadline + 10_000);
    tracker.responsePosted('r2', 'streamed');
    await flush();
    expect(seen).toEqual(['r2']);
  });

});

describe('Lifecycle (best-effort mode: runtime progress not observed)', () => {
  it('warns once, starts jobs at once, and releases after the idle window', async () => {
    const { tracker, deadline, timers, logger } = setup({}, 'unobserved');
    let ran = 0;
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.enqueue(() => void ran++, 'job');
    await flush();
    expect(ran).toBe(1);
    expect(tracker.mode).toEqual({ kind: 'best-effort' });
    timers.advance(100);
    await expect(hold).resolves.toBe('settled');
    const hold2 = tracker.hold({ requestId: 'r2', deadlineMs: deadline + 5000 });
    timers.advance(100);
    await expect(hold2).resolves.toBe('settled');
    expect(logger.records.filter((r) => r.level === 'WARN')).toHaveLength(1);
    expect(logger.records[0]?.message).toContain("runtime's progress was never observed");
  });
});

describe('Lifecycle (Managed Instances: unheld, concurrent invokes)', () => {
  it('attributes jobs by the async context of the invoke that enqueued them, and runs them after that invoke responds', async () => {
    const { tracker, deadline } = setup({}, 'unheld');
    const seen: string[] = [];
    const a = runtimeInvoke(tracker, 'a', deadline, async () => {
      await flush();
      tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'ja');
    });
    const b = runtimeInvoke(tracker, 'b', deadline, async () => {
      await flush();
      tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'jb');
    });
    await Promise.all([a, b]);
    tracker.responsePosted('b', 'returned');
    await flush();
    expect(seen).toEqual(['b']);
    tracker.responsePosted('a', 'returned');
    await flush();
    expect(seen).toEqual(['b', 'a']);
  });

  it('runs a job of an invoke that already responded at once, under its request id, without a warning', async () => {
    const { tracker, deadline, logger } = setup({}, 'unheld');
    const seen: string[] = [];
    let fired!: Promise<void>;
    // A timer the handler set carries its async context, like any callback it schedules.
    await runtimeInvoke(tracker, 'a', deadline, () => {
      fired = new Promise((resolve) => setTimeout(() => resolve(tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'late')), 5));
    });
    tracker.responsePosted('a', 'returned');
    await fired;
    await flush();
    expect(seen).toEqual(['a']);
    expect(logger.records.filter((r) => r.level === 'WARN')).toEqual([]);
  });

  it('runs a job enqueued outside any invoke at once, unheld, and reports its failure', async () => {
    const { tracker, logger } = setup({}, 'unheld');
    tracker.enqueue(() => Promise.reject(new Error('nope')), 'detached');
    await flush();
    expect(logger.records.find((r) => r.message === 'job failed')).toMatchObject({ requestId: '-', job: 'detached', errorMessage: 'nope' });
  });

  it('finishes an invoke that never responded once a later invoke starts past its deadline, and no invoke before its deadline', async () => {
    const { tracker, deadline, timers } = setup({}, 'unheld');
    const seen: string[] = [];
    const gates: Record<string, () => void> = {};
    /** A handler that never responds, keeping a callback (in its async context) that enqueues later. */
    const stuck = (requestId: string) => () => {
      void new Promise<void>((resolve) => (gates[requestId] = resolve))
        .then(() => tracker.enqueue(({ requestId: owner }: JobContext) => void seen.push(owner), `later-${requestId}`));
    };
    await runtimeInvoke(tracker, 'a', deadline, stuck('a'));
    timers.advance(4000); // past a's deadline; the platform has ended it (410 on Managed Instances)
    await runtimeInvoke(tracker, 'b', deadline + 10_000, stuck('b'));
    await runtimeInvoke(tracker, 'c', deadline + 10_000, () => undefined); // b is not past its deadline
    gates.a?.();
    gates.b?.();
    await flush();
    // a was finished by the sweep: its late work runs at once, under its id. b still runs: its
    // job waits for b's response, as every job of an invoke in progress does.
    expect(seen).toEqual(['a']);
    tracker.responsePosted('b', 'returned');
    await flush();
    expect(seen).toEqual(['a', 'b']);
  });
});
