import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { deferred, flush, trackerSetup as setup } from './fakes.ts';

/** The context one job of invoke r1 was given, once the response let it start. */
async function contextSeen(): Promise<{ seen: JobContext | undefined; deadline: number }> {
  const { tracker, deadline } = setup();
  let seen: JobContext | undefined;
  tracker.invokeStarted('r1', deadline);
  tracker.enqueue((context: JobContext) => (seen = context), 'ctx');
  tracker.responsePosted('r1', 'streamed');
  await flush();
  return { seen, deadline };
}

describe('Lifecycle (held mode)', () => {
  it('starts job functions only after the response is posted, in FIFO order', async () => {
    const { tracker, deadline } = setup();
    const order: string[] = [];
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => order.push('a'), 'a');
    tracker.enqueue(() => order.push('b'), 'b');
    await flush();
    expect(order).toEqual([]);
    tracker.responsePosted('r1', 'streamed');
    await flush();
    expect(order).toEqual(['a', 'b']);
  });

  it('gives job functions the request id, the deadline and a live signal', async () => {
    const { seen, deadline } = await contextSeen();
    expect(seen).toMatchObject({ requestId: 'r1', deadlineMs: deadline });
    expect(seen?.signal.aborted).toBe(false);
  });

  it("shows users a job's context as its request id and deadline only: JSON, a spread and console.log leave out the job set", async () => {
    const { seen, deadline } = await contextSeen();
    // The job set behind `signal` is referenced from the context: enumerable, it would be printed, and JSON.stringify would throw on its cycle.
    expect(JSON.parse(JSON.stringify(seen)) as unknown).toEqual({ requestId: 'r1', deadlineMs: deadline });
    expect({ ...seen }).toEqual({ requestId: 'r1', deadlineMs: deadline });
    expect(inspect(seen)).toMatch(/^\w+ \{ requestId: 'r1', deadlineMs: \d+ \}$/);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('releases only once the runtime is done and every job has settled', async () => {
    const { tracker, deadline } = setup();
    const job = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => job.promise, 'slow');
    let released: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => (released = reason));
    tracker.responsePosted('r1', 'streamed');
    await flush();
    expect(released).toBeUndefined();
    tracker.runtimeNext();
    await flush();
    expect(released).toBeUndefined();
    job.resolve();
    await flush();
    expect(released).toBe('settled');
  });

  it('releases after a returned response without waiting for the runtime to call next', async () => {
    const { tracker, deadline } = setup();
    tracker.invokeStarted('r1', deadline);
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await expect(hold).resolves.toBe('settled');
  });

  it('still holds a job enqueued in the same turn right after a callback returned the response', async () => {
    const { tracker, deadline } = setup();
    const job = deferred();
    tracker.invokeStarted('r1', deadline);
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'returned');
    await Promise.resolve();
    tracker.enqueue(() => job.promise, 'after-callback');
    await flush();
    expect(released).toBe(false);
    job.resolve();
    await flush();
    expect(released).toBe(true);
  });

  it('waits for the runtime after a streamed response: the handler may still be running', async () => {
    const { tracker, deadline } = setup();
    tracker.invokeStarted('r1', deadline);
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'streamed');
    await flush();
    expect(released).toBe(false);
    tracker.runtimeNext();
    await flush();
    expect(released).toBe(true);
  });

  it('releases at once when an invoke had no jobs', async () => {
    const { tracker, deadline } = setup();
    tracker.invokeStarted('r1', deadline);
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await expect(tracker.hold({ requestId: 'r1', deadlineMs: deadline })).resolves.toBe('settled');
  });

  it('holds jobs enqueued at the very end of the handler, after the response was posted', async () => {
    const { tracker, deadline } = setup();
    const late = deferred();
    tracker.invokeStarted('r1', deadline);
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'streamed');
    tracker.enqueue(() => late.promise, 'late');
    tracker.runtimeNext();
    let released = false;
    void hold.then(() => (released = true));
    await flush();
    expect(released).toBe(false);
    late.resolve();
    await flush();
    expect(released).toBe(true);
  });

  it('works when the INVOKE event reaches the extension before the runtime sees the invoke', async () => {
    const { tracker, deadline } = setup();
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.invokeStarted('r1', deadline);
    let ran = false;
    tracker.enqueue(() => (ran = true), 'job');
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await expect(hold).resolves.toBe('settled');
    expect(ran).toBe(true);
  });

  it('holds jobs enqueued from inside a job as part of the same invoke', async () => {
    const { tracker, deadline } = setup();
    const ran: string[] = [];
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => {
      ran.push('outer');
      tracker.enqueue(async () => {
        await flush();
        ran.push('inner');
      }, 'inner');
    }, 'outer');
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    expect(ran).toEqual(['outer', 'inner']);
  });

  it('tracks a promise job from the moment it is passed, before the response', async () => {
    const { tracker, deadline } = setup();
    const work = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(work.promise, 'promise');
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    await flush();
    expect(released).toBe(false);
    work.resolve();
    await flush();
    expect(released).toBe(true);
  });

  it('logs failing jobs with request id, job name, error type, message and stack, and keeps going', async () => {
    const { tracker, deadline, logger } = setup();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => {
      throw new RangeError('thrown');
    }, 'thrower');
    tracker.enqueue(Promise.reject(new TypeError('rejected')), 'rejected-promise');
    tracker.enqueue(async () => Promise.reject('plain string'), 'rejecter');
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    const failures = logger.records.filter((r) => r.message === 'job failed');
    expect(failures.map((r) => [r.requestId, r.errorType, r.errorMessage])).toEqual(
      expect.arrayContaining([['r1', 'RangeError', 'thrown'], ['r1', 'TypeError', 'rejected'], ['r1', 'string', 'plain string']]),
    );
    expect(failures.find((r) => r.errorType === 'RangeError')).toMatchObject({ job: 'thrower' });
    expect((failures[0]?.stackTrace as string[]).length).toBeGreaterThan(0);
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', enqueued: 3, failed: 3, succeeded: 0 });
  });

  it('aborts the signal and releases at the deadline margin, reporting unfinished jobs by name', async () => {
    const { tracker, deadline, timers, logger } = setup({ concurrency: 1 });
    let signal: AbortSignal | undefined;
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(({ signal: s }: JobContext) => ((signal = s), new Promise(() => {})), 'forever');
    tracker.enqueue(() => undefined, 'queued');
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await flush();
    timers.advance(2499);
    expect(signal?.aborted).toBe(false);
    timers.advance(1);
    await expect(hold).resolves.toBe('deadline');
    expect(signal?.aborted).toBe(true);
    const [aborting, abandoning] = logger.records.filter((r) => r.level === 'WARN');
    expect(aborting).toMatchObject({ requestId: 'r1', running: ['forever'], neverStarted: ['queued'] });
    expect(abandoning).toMatchObject({ requestId: 'r1', jobs: ['forever'] });
    expect(logger.records.at(-1)).toMatchObject({ outcome: 'deadline', enqueued: 2, started: 1, abandoned: 1, neverStarted: 1 });
  });

  it('runs no more job functions at once than the concurrency limit', async () => {
    const { tracker, deadline } = setup({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    tracker.invokeStarted('r1', deadline);
    for (let i = 0; i < 6; i++) {
      tracker.enqueue(async () => {
        peak = Math.max(peak, ++running);
        await flush(2);
        running--;
      }, `job${i}`);
    }
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    expect(peak).toBe(2);
  });

  it('gives a failing job function its concurrency slot back: N failures under a limit of N never stall the queue', async () => {
    const { tracker, deadline, logger } = setup({ concurrency: 2 });
    const ran: string[] = [];
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => {
      throw new TypeError('thrown');
    }, 'throws');
    tracker.enqueue(async () => Promise.reject(new RangeError('rejected')), 'rejects');
    tracker.enqueue(() => {
      throw new Error('thrown again');
    }, 'throws-again');
    tracker.enqueue(() => Promise.reject(new Error('rejected again')), 'rejects-again');
    tracker.enqueue(() => void ran.push('after four failures'), 'after');
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    // No timer advances: the last job can only start in a slot a failed job gave back.
    await flush(5);
    expect(ran).toEqual(['after four failures']);
    await expect(hold).resolves.toBe('settled');
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', outcome: 'settled', enqueued: 5, started: 5, failed: 4, succeeded: 1 });
  });

  it('does not count promise jobs against the concurrency limit: a pending promise never blocks job functions', async () => {
    const { tracker, deadline } = setup({ concurrency: 1 });
    const ran: string[] = [];
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => void ran.push('a'), 'a');
    tracker.enqueue(new Promise(() => {}), 'slow-promise');
    tracker.enqueue(() => void ran.push('b'), 'b');
    tracker.responsePosted('r1', 'returned');
    await flush(5);
    expect(ran).toEqual(['a', 'b']);
  });

  it('runs 1,000 jobs of one invoke before the release', async () => {
    const { tracker, deadline } = setup();
    let done = 0;
    tracker.invokeStarted('r1', deadline);
    for (let i = 0; i < 1000; i++) tracker.enqueue(async () => void (await Promise.resolve(), done++), 'many');
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    expect(done).toBe(1000);
  });

});
