import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../client/host-interface.ts';
import { deferred, flush, trackerSetup as setup } from './fakes.ts';

describe('InvokeTracker (between invokes, external jobs, draining)', () => {
  it('stops holding when the loop ends, releasing what it held', async () => {
    const { tracker, deadline } = setup();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => new Promise(() => {}), 'stuck');
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.stopHolding();
    await expect(hold).resolves.toBe('settled');
  });

  it('drains: resolves once every job has settled', async () => {
    const { tracker, deadline } = setup();
    const work = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => work.promise, 'w');
    tracker.responsePosted('r1');
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
    tracker.responsePosted('r1');
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
    tracker.responsePosted('r1');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'between');
    tracker.invokeStarted('r2', deadline + 10_000);
    tracker.responsePosted('r2');
    await flush();
    expect(seen).toEqual(['r2']);
  });

});

describe('InvokeTracker (best-effort mode: runtime progress not observed)', () => {
  it('warns once, starts jobs at once, and releases after the idle window', async () => {
    const { tracker, deadline, timers, logger } = setup();
    tracker.observed = false;
    let ran = 0;
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.enqueue(() => void ran++, 'job');
    await flush();
    expect(ran).toBe(1);
    timers.advance(100);
    await expect(hold).resolves.toBe('settled');
    const hold2 = tracker.hold({ requestId: 'r2', deadlineMs: deadline + 5000 });
    timers.advance(100);
    await expect(hold2).resolves.toBe('settled');
    expect(logger.records.filter((r) => r.level === 'WARN')).toHaveLength(1);
    expect(logger.records[0]?.message).toContain("runtime's progress was never observed");
  });
});

describe('InvokeTracker (Managed Instances: unheld, concurrent invokes)', () => {
  it('attributes jobs by the calling invoke and runs them after that invoke responds', async () => {
    let context: string | undefined;
    const { tracker, deadline } = setup({ contextRequestId: () => context });
    tracker.held = false;
    const seen: string[] = [];
    tracker.invokeStarted('a', deadline);
    tracker.invokeStarted('b', deadline);
    context = 'a';
    tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'ja');
    context = 'b';
    tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'jb');
    tracker.responsePosted('b');
    await flush();
    expect(seen).toEqual(['b']);
    tracker.responsePosted('a');
    await flush();
    expect(seen).toEqual(['b', 'a']);
  });

  it('forgets an invoke without jobs once it responded, and runs a late job of it at once', async () => {
    let context: string | undefined = 'a';
    const { tracker, deadline, logger } = setup({ contextRequestId: () => context });
    tracker.held = false;
    const seen: string[] = [];
    tracker.invokeStarted('a', deadline);
    tracker.responsePosted('a');
    tracker.enqueue(({ requestId }: JobContext) => seen.push(requestId), 'late');
    await flush();
    expect(seen).toEqual(['a']);
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', requestId: 'a', enqueued: 1, succeeded: 1 });
    context = undefined;
  });
});
