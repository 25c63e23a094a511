// Work enqueued during the deadline abort — synchronously from an `abort` listener, or later in the
// grace — runs within the grace: the grace exists to tell the user it took too long.
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import type { Lifecycle } from '../../extension/core/lifecycle.ts';
import { deferred, flush, runtimeInvoke, trackerSetup as setup } from './fakes.ts';

type Apology = (tracker: Lifecycle, ran: string[]) => () => void;

/** What an `abort` listener enqueues, by kind: a function, a promise, a function one tick later. */
const apologies: Array<[string, Apology]> = [
  ['a job function, synchronously', (tracker, ran) => () => tracker.enqueue(() => void ran.push('apology'), 'apology')],
  ['a promise, synchronously', (tracker, ran) => () => tracker.enqueue(Promise.resolve().then(() => void ran.push('apology')), 'apology')],
  ['a job function, from a timer later in the grace', (tracker, ran) => () => void setTimeout(() => tracker.enqueue(() => void ran.push('apology'), 'apology'), 1)],
];

/** Runs the deadline and lets real timers and immediates of the grace fire (the grace itself is a manual timer). */
async function reachDeadline(timers: ReturnType<typeof setup>['timers']): Promise<void> {
  timers.advance(2500);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await flush();
}

describe('work enqueued during the deadline abort', () => {
  it.each(apologies)('%s: runs in the grace, is held, named as running and counted as succeeded', async (_kind, apology) => {
    const { tracker, timers, logger, deadline } = setup({ graceMs: 250 });
    const ran: string[] = [];
    const stopped = deferred();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(({ signal }: JobContext) => {
        signal.addEventListener('abort', apology(tracker, ran));
        signal.addEventListener('abort', () => setTimeout(stopped.resolve, 10));
        return stopped.promise;
      }, 'slow');
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void ran.push(`released: ${reason}`));
    await flush();
    await reachDeadline(timers);
    await stopped.promise;
    await released;
    expect(ran).toEqual(['apology', 'released: deadline']);
    const warn = logger.records.find((r) => String(r.message).startsWith('deadline near'));
    expect(warn?.neverStarted).toEqual([]);
    expect(logger.records.find((r) => String(r.message).startsWith('abandoning'))).toBeUndefined();
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', enqueued: 2, started: 2, succeeded: 2, abandoned: 0, neverStarted: 0 });
  });

  it('starts a function enqueued by an abort listener although a job ignoring the abort holds the only concurrency slot', async () => {
    const { tracker, timers, logger, deadline } = setup({ graceMs: 250, concurrency: 1 });
    const ran: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(({ signal }: JobContext) => {
        signal.addEventListener('abort', () => tracker.enqueue(() => void ran.push('apology'), 'apology'));
        return new Promise(() => {}); // deaf to its abort
      }, 'deaf');
      tracker.enqueue(() => void ran.push('queued'), 'queued');
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await flush();
    await reachDeadline(timers);
    expect(ran).toEqual(['apology']);
    timers.advance(250);
    await expect(released).resolves.toBe('deadline');
    const warn = logger.records.find((r) => String(r.message).startsWith('deadline near'));
    expect(warn).toMatchObject({ running: ['deaf', 'apology'], neverStarted: ['queued'] });
    expect(logger.records.at(-1)).toMatchObject({ enqueued: 3, started: 2, succeeded: 1, abandoned: 1, neverStarted: 1 });
  });

  it('starts a function enqueued by an abort listener while the handler still runs (the response never came)', async () => {
    const { tracker, timers, deadline } = setup({ graceMs: 250 });
    const ran: string[] = [];
    let signal: AbortSignal | undefined;
    void runtimeInvoke(tracker, 'r1', deadline, async () => {
      tracker.enqueue((context: JobContext) => void (signal = context.signal), 'peek');
      await tracker.drain(); // starts it before any response
      signal?.addEventListener('abort', () => tracker.enqueue(() => void ran.push('apology'), 'apology'));
      await new Promise(() => {}); // the handler never returns
    });
    await flush();
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await reachDeadline(timers);
    expect(ran).toEqual(['apology']);
    timers.advance(250);
    await expect(released).resolves.toBe('deadline');
  });
});

/** Runs invoke r1 with `handler` through its deadline and grace; the deadline WARN it logged. */
async function deadlineWarn(handler: (tracker: Lifecycle) => void): Promise<Record<string, unknown> | undefined> {
  const { tracker, timers, logger, deadline } = setup({ graceMs: 250 });
  await runtimeInvoke(tracker, 'r1', deadline, () => handler(tracker));
  const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
  await flush();
  await reachDeadline(timers);
  timers.advance(250);
  await released;
  return logger.records.find((r) => String(r.message).startsWith('deadline near'));
}

describe('the deadline WARN', () => {
  it("names the handler when the handler itself had not returned (its jobs never started), and the jobs' signal otherwise", async () => {
    const warn = await deadlineWarn((tracker) => {
      tracker.enqueue(() => undefined, 'before-hang'); // the handler then hangs: no response is posted
    });
    expect(warn).toMatchObject({ handlerRunning: true, neverStarted: ['before-hang'] });
    expect(String(warn?.message)).toContain('The handler itself had not returned');
    expect(String(warn?.message)).not.toContain('make long jobs honour');
  });

  it('keeps the jobs\' fix when the handler had returned', async () => {
    const warn = await deadlineWarn((tracker) => {
      tracker.enqueue(() => new Promise(() => {}), 'deaf');
      tracker.responsePosted('r1', 'returned');
    });
    expect(warn).not.toHaveProperty('handlerRunning');
    expect(String(warn?.message)).toContain("Fix: raise the function's timeout, or make long jobs honour `signal`");
  });
});

describe('an invoke that starts with less time left than the margin', () => {
  // deadline − margin + grace, not the abort + grace: with the margin at or above the time left, a
  // full grace from the abort ran to the deadline itself, and the invoke timed out with its deaf
  // job never named (no `abandoning` WARN, no summary).
  it.each([
    ['the margin above the time left by 200 ms', 300, 50],
    ['the margin above the time left by 100 ms', 400, 150],
  ])('%s: the grace ends where it would have (deadline − margin + grace), the deaf job is named and the release comes before the deadline', async (_case, leftMs, graceLeft) => {
    const { tracker, timers, logger } = setup({ marginMs: 500, graceMs: 250 });
    const deadline = timers.now() + leftMs;
    const events: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => new Promise(() => {}), 'deaf');
      tracker.responsePosted('r1', 'returned');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason} at ${String(timers.now() - (deadline - leftMs))} ms`));
    await flush();
    timers.advance(0);
    await flush();
    timers.advance(graceLeft);
    await flush();
    await released;
    expect(events).toEqual([`released: deadline at ${String(graceLeft)} ms`]);
    expect(logger.records.find((r) => String(r.message).startsWith('deadline near'))).toMatchObject({ graceMs: 250, graceLeftMs: graceLeft });
    expect(logger.records.find((r) => String(r.message).startsWith('abandoning'))).toMatchObject({ jobs: ['deaf'] });
    expect(logger.records.at(-1)).toMatchObject({ message: 'after-response summary', abandoned: 1 });
  });

  it('the margin above the time left by more than the grace (no grace left): released at the first job, which runs unheld and is named so, not abandoned', async () => {
    const { tracker, timers, logger } = setup({ marginMs: 500, graceMs: 250 });
    const deadline = timers.now() + 200;
    const events: string[] = [];
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => void events.push(`released: ${reason} at ${String(timers.now() - (deadline - 200))} ms`));
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => new Promise(() => {}), 'deaf');
      tracker.responsePosted('r1', 'returned');
    });
    await flush();
    await released;
    expect(events).toEqual(['released: deadline at 0 ms']);
    expect(logger.records.find((r) => String(r.message).startsWith('deadline near'))).toMatchObject({ graceMs: 250, graceLeftMs: 0, running: [], neverStarted: [] });
    expect(logger.records.find((r) => r.level === 'WARN' && String(r.message).startsWith('job enqueued after its invoke was released'))).toMatchObject({ job: 'deaf', handlerRunning: true });
    expect(logger.records.filter((r) => String(r.message).startsWith('abandoning') || r.message === 'after-response summary')).toEqual([]);
  });
});
