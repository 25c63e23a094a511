import { describe, expect, it, vi } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { deferred, flush, runtimeInvoke, trackerSetup as setup } from './fakes.ts';

describe('Lifecycle edges: abandonment, attribution, drain, grace', () => {
  it('work enqueued by an abandoned job belongs to its invoke: it runs unheld and does not hold the next invoke', async () => {
    const { tracker, deadline, timers, logger } = setup();
    const sleeping = deferred();
    let lateRan = '';
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(async () => {
        await sleeping.promise; // ignores its signal
        tracker.enqueue(({ requestId }: JobContext) => void (lateRan = requestId), 'late-work');
        tracker.enqueue(() => new Promise(() => {}), 'never-settles');
      }, 'sleeper');
    });
    const first = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500);
    await expect(first).resolves.toBe('deadline');
    await runtimeInvoke(tracker, 'r2', deadline + 5000, () => undefined);
    const second = tracker.hold({ requestId: 'r2', deadlineMs: deadline + 5000 });
    sleeping.resolve(); // the thaw: the abandoned job wakes up during r2
    tracker.responsePosted('r2', 'returned');
    await flush();
    await expect(second).resolves.toBe('settled');
    expect(lateRan).toBe('r1');
    const lateWarnings = logger.records.filter((r) => r.level === 'WARN' && String(r.message).startsWith('job enqueued after its invoke was released'));
    expect(lateWarnings.map((r) => [r.requestId, r.job])).toEqual([['r1', 'late-work'], ['r1', 'never-settles']]);
    expect(tracker.unfinished()).toEqual([{ requestId: 'r1', jobs: ['never-settles'] }]);
  });

  it('a timer the handler set that fires after the release runs its job under the handler invoke, unheld, never in the next invoke', async () => {
    const { tracker, deadline } = setup();
    let fired!: Promise<void>;
    const seen: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      fired = new Promise((resolve) => setTimeout(() => resolve(tracker.enqueue(({ requestId }: JobContext) => void seen.push(requestId), 'from-timer')), 20));
    });
    const first = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await expect(first).resolves.toBe('settled');
    await runtimeInvoke(tracker, 'r2', deadline + 5000, () => undefined);
    await fired;
    await flush();
    expect(seen).toEqual(['r1']);
  });

  it('a timer that fires while its invoke still holds other jobs joins that invoke', async () => {
    const { tracker, deadline } = setup();
    const slow = deferred();
    const order: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => slow.promise, 'slow');
      setTimeout(() => tracker.enqueue(async () => void order.push('timer job'), 'from-timer'), 5);
    });
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'returned');
    // Wait for the timer's job rather than a fixed time: on a loaded machine both timers can
    // expire in one loop turn, before the job (started a turn later) has run.
    await vi.waitFor(() => expect(order).toEqual(['timer job']), { timeout: 5_000, interval: 5 });
    expect(released).toBe(false);
    slow.resolve();
    await flush();
    expect(released).toBe(true);
  });

  it('drain inside the handler starts the queued jobs now and resolves when they settled, like without the layer', async () => {
    const { tracker, deadline } = setup();
    const order: string[] = [];
    const answer = await runtimeInvoke(tracker, 'r1', deadline, async () => {
      tracker.enqueue(async () => void order.push('job'), 'job');
      await tracker.drain();
      order.push('after drain');
      return 'after-drain';
    });
    expect(answer).toBe('after-drain');
    expect(order).toEqual(['job', 'after drain']);
  });

  it('drain resolves when a pending job is abandoned at the deadline', async () => {
    const { tracker, deadline, timers } = setup();
    await runtimeInvoke(tracker, 'r1', deadline, () => tracker.enqueue(() => new Promise(() => {}), 'stuck'));
    tracker.responsePosted('r1', 'returned');
    await flush();
    let drained = false;
    void tracker.drain().then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    timers.advance(2500);
    await flush();
    expect(drained).toBe(true);
  });

  it('drain outside any invoke starts jobs enqueued at init at once, unheld', async () => {
    const { tracker } = setup();
    let ran = false;
    tracker.enqueue(async () => void (ran = true), 'init-job');
    await tracker.drain();
    expect(ran).toBe(true);
  });

  it('gives jobs the grace between the abort and the release, and releases early when they stop', async () => {
    const { tracker, deadline, timers, logger } = setup({ graceMs: 200 });
    let told = '';
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(({ signal }: JobContext) => new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(() => {
        told = 'took too long';
        resolve();
      }, 0))), 'reacts-to-abort');
    });
    let reason: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((r) => (reason = r));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500);
    expect(reason).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await flush();
    expect(told).toBe('took too long');
    expect(reason).toBe('deadline');
    expect(logger.records.at(-1)).toMatchObject({ outcome: 'deadline', succeeded: 1, abandoned: 0 });
  });

  it('abandons at the end of the grace what still runs, by name', async () => {
    const { tracker, deadline, timers, logger } = setup({ graceMs: 200 });
    await runtimeInvoke(tracker, 'r1', deadline, () => tracker.enqueue(() => new Promise(() => {}), 'deaf'));
    let reason: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((r) => (reason = r));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500 + 199);
    await flush();
    expect(reason).toBeUndefined();
    timers.advance(1);
    await flush();
    expect(reason).toBe('deadline');
    expect(logger.records.find((r) => String(r.message).startsWith('abandoning'))).toMatchObject({ requestId: 'r1', jobs: ['deaf'] });
  });

  it('a job that fails with any odd value is reported and the invoke still releases', async () => {
    const { tracker, deadline, logger } = setup();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(async () => {
        throw Object.create(null);
      }, 'null-proto');
      tracker.enqueue(() => Promise.reject(undefined), 'undefined');
    });
    tracker.responsePosted('r1', 'returned');
    await expect(tracker.hold({ requestId: 'r1', deadlineMs: deadline })).resolves.toBe('settled');
    expect(logger.records.filter((r) => r.message === 'job failed').map((r) => r.job)).toEqual(['null-proto', 'undefined']);
    expect(logger.records.at(-1)).toMatchObject({ failed: 2 });
  });

  it('names every unfinished job for the exit report, queued ones included', async () => {
    const { tracker, deadline } = setup();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => undefined, 'post-hang-report');
      tracker.enqueue(new Promise(() => {}), 'pending-promise');
    });
    expect(tracker.unfinished()).toEqual([{ requestId: 'r1', jobs: ['pending-promise', 'post-hang-report (never started)'] }]);
  });
});
