import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { Lifecycle } from '../../extension/core/lifecycle.ts';
import { deferred, flush, manualTimers, recordingLogger, runtimeInvoke, trackerSetup as setup } from './fakes.ts';
import { AlsContext } from '../../extension/runtime-hooks/als-context.ts';

describe('Lifecycle: flushers (the flushing phase)', () => {
  it('runs a flusher once per invoke after the response and the jobs, before the release, with the invoke context', async () => {
    const { tracker, deadline } = setup();
    const order: string[] = [];
    let seen: JobContext | undefined;
    tracker.addFlusher((context) => {
      seen = context;
      order.push('flush');
    }, 'telemetry');
    const job = deferred();
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(async () => {
      await job.promise;
      order.push('job');
    }, 'job');
    let released: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => (released = reason));
    tracker.responsePosted('r1', 'returned');
    await flush();
    expect(order).toEqual([]);
    job.resolve();
    await flush();
    expect(order).toEqual(['job', 'flush']);
    expect(released).toBe('settled');
    expect(seen).toMatchObject({ requestId: 'r1', deadlineMs: deadline });
    expect(seen?.signal.aborted).toBe(false);
  });

  it('runs it also after an invoke that enqueued nothing, and holds the release for it', async () => {
    const { tracker, deadline } = setup();
    let gate = deferred();
    const ran: string[] = [];
    tracker.addFlusher(async ({ requestId }) => {
      ran.push(requestId);
      await gate.promise;
    }, 'slow-flush');
    for (const id of ['r1', 'r2']) {
      gate = deferred();
      tracker.invokeStarted(id, deadline);
      let released = false;
      void tracker.hold({ requestId: id, deadlineMs: deadline }).then(() => (released = true));
      tracker.responsePosted(id, 'returned');
      await flush();
      expect(released).toBe(false);
      gate.resolve();
      await flush();
      expect(released).toBe(true);
    }
    expect(ran).toEqual(['r1', 'r2']);
  });

  it('logs a failing flusher by name and still releases as settled; the jobs stay uncounted by it', async () => {
    const { tracker, deadline, logger } = setup();
    tracker.addFlusher(() => {
      throw new Error('exporter down');
    }, 'otel');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => undefined, 'job');
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await expect(hold).resolves.toBe('settled');
    expect(logger.records.find((r) => r.message === 'flusher failed')).toMatchObject({ level: 'ERROR', requestId: 'r1', flusher: 'otel', errorMessage: 'exporter down' });
    expect(logger.records.find((r) => r.message === 'after-response summary')).toMatchObject({ enqueued: 1, succeeded: 1, failed: 0 });
  });

  it('whatever a flusher throws or rejects with, the invoke is released as settled and the failure is logged once by name', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), fc.boolean(), async (thrown, async) => {
      const { tracker, deadline, logger } = setup();
      tracker.addFlusher(async ? () => Promise.reject(thrown) : () => { throw thrown; }, 'hostile');
      tracker.invokeStarted('r1', deadline);
      const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
      tracker.responsePosted('r1', 'returned');
      await expect(hold).resolves.toBe('settled');
      expect(logger.records.filter((r) => r.message === 'flusher failed' && r.flusher === 'hostile')).toHaveLength(1);
    }), { numRuns: 200 });
  });

  it('the deadline WARN names what ran at the deadline: not the flushers it starts then (they run in the grace)', async () => {
    const { tracker, deadline, timers, logger } = setup({ graceMs: 100 });
    let flushed = false;
    tracker.addFlusher(() => void (flushed = true), 'telemetry');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => new Promise(() => undefined), 'stuck');
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500);
    await flush();
    expect(flushed).toBe(true);
    expect(logger.records.find((r) => String(r.message).startsWith('deadline near'))).toMatchObject({ running: ['stuck'] });
  });

  it('aborts an overrunning flusher at deadline − margin and abandons it by name after the grace', async () => {
    const { tracker, deadline, timers, logger } = setup({ graceMs: 100 });
    let signal: AbortSignal | undefined;
    tracker.addFlusher(({ signal: s }) => ((signal = s), new Promise(() => undefined)), 'stuck-flush');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => undefined, 'job');
    let released: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => (released = reason));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500);
    expect(signal?.aborted).toBe(true);
    await flush();
    expect(released).toBeUndefined();
    timers.advance(100);
    await flush();
    expect(released).toBe('deadline');
    expect(logger.records.find((r) => String(r.message).startsWith('abandoning'))).toMatchObject({ jobs: ['stuck-flush (flusher)'] });
    expect(logger.records.find((r) => r.message === 'after-response summary')).toMatchObject({ abandoned: 0, succeeded: 1 });
  });

  it('drainAfterResponse() during the flush waits for a hung flusher until the grace abandons it, then resolves', async () => {
    const { tracker, deadline, timers, logger } = setup({ graceMs: 100 });
    tracker.addFlusher(() => new Promise(() => undefined), 'stuck-flush');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => undefined, 'job');
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    let drained = false;
    void tracker.drain().then(() => (drained = true));
    timers.advance(2500);
    await flush();
    expect(drained).toBe(false); // the flusher still holds, in the grace
    timers.advance(100);
    await flush();
    expect(drained).toBe(true);
    expect(logger.records.find((r) => String(r.message).startsWith('abandoning'))).toMatchObject({ jobs: ['stuck-flush (flusher)'] });
  });

  it('starts the flushers at the abort, with the aborted signal, when jobs overrun', async () => {
    const { tracker, deadline, timers } = setup({ graceMs: 100 });
    const seen: boolean[] = [];
    tracker.addFlusher(({ signal }) => void seen.push(signal.aborted), 'flush');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => new Promise(() => undefined), 'stuck-job');
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    expect(seen).toEqual([]);
    timers.advance(2500);
    await flush();
    expect(seen).toEqual([true]);
    timers.advance(100);
    await expect(hold).resolves.toBe('deadline');
  });

  it("a job the handler's own callback enqueues while the flushers run is held with them; the release waits for both, and no second flush follows", async () => {
    const { tracker, deadline } = setup();
    const order: string[] = [];
    const exporter = deferred();
    const job = deferred();
    let flushes = 0;
    tracker.addFlusher(() => {
      flushes++;
      order.push('flush');
      return exporter.promise;
    }, 'telemetry');
    tracker.invokeStarted('r1', deadline);
    tracker.enqueue(() => undefined, 'first');
    let released: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => (released = reason));
    tracker.responsePosted('r1', 'returned');
    await flush();
    expect(order).toEqual(['flush']);
    tracker.enqueue(() => job.promise.then(() => void order.push('late callback job')), 'callback');
    exporter.resolve();
    await flush();
    expect(released).toBeUndefined();
    job.resolve();
    await flush();
    expect([released, flushes, order]).toEqual(['settled', 1, ['flush', 'late callback job']]);
  });

  it('holds a job a flusher enqueues, without flushing again', async () => {
    const { tracker, deadline } = setup();
    const runs: string[] = [];
    const job = deferred();
    tracker.addFlusher(() => {
      runs.push('flush');
      tracker.enqueue(() => job.promise.then(() => runs.push('flusher-job')), 'from-flusher');
    }, 'flush');
    await runtimeInvoke(tracker, 'r1', deadline, () => undefined);
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'returned');
    await flush();
    expect(runs).toEqual(['flush']);
    expect(released).toBe(false);
    job.resolve();
    await flush();
    expect(runs).toEqual(['flush', 'flusher-job']);
    expect(released).toBe(true);
  });

  it('stops running a flusher once unregistered', async () => {
    const { tracker, deadline } = setup();
    let runs = 0;
    const unregister = tracker.addFlusher(() => void runs++, 'flush');
    tracker.invokeStarted('r1', deadline);
    tracker.responsePosted('r1', 'returned');
    await flush();
    unregister();
    unregister();
    tracker.invokeStarted('r2', deadline);
    await expect(Promise.all([tracker.hold({ requestId: 'r2', deadlineMs: deadline }), (tracker.responsePosted('r2', 'returned'), flush())])).resolves.toBeDefined();
    expect(runs).toBe(1);
  });

  it('runs flushers per invoke when unheld (Managed Instances), each with its own request id', async () => {
    const { tracker, deadline } = setup({}, 'unheld');
    const ran: string[] = [];
    tracker.addFlusher(({ requestId }) => void ran.push(requestId), 'flush');
    await Promise.all(['a', 'b'].map((id) => runtimeInvoke(tracker, id, deadline, () => tracker.enqueue(() => undefined, `job-${id}`))));
    tracker.responsePosted('b', 'returned');
    tracker.responsePosted('a', 'returned');
    expect(ran, 'never inside the runtime\'s own call').toEqual([]);
    await flush();
    expect(ran.sort()).toEqual(['a', 'b']);
  });
});

describe('Lifecycle: job context', () => {
  it('runs a job function in the async context it was enqueued in, attributed to its invoke', async () => {
    const { tracker, deadline } = setup();
    const store = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      store.run('span-A', () => tracker.enqueue(() => void seen.push(store.getStore()), 'a'));
      store.run('span-B', () => tracker.enqueue(() => {
        seen.push(store.getStore());
        tracker.enqueue(() => void seen.push(`${store.getStore()}-child`), 'child');
      }, 'b'));
    });
    const hold = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'streamed');
    tracker.runtimeNext();
    await expect(hold).resolves.toBe('settled');
    expect(seen).toEqual(['span-A', 'span-B', 'span-B-child']);
  });

  it('keeps a job enqueued at init with the next invoke, and what it enqueues too', async () => {
    const { tracker, deadline } = setup();
    const child = deferred();
    const store = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    store.run('init', () => tracker.enqueue(() => {
      seen.push(store.getStore());
      tracker.enqueue(() => child.promise, 'child');
    }, 'at-init'));
    await runtimeInvoke(tracker, 'r1', deadline, () => undefined);
    let released = false;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'returned');
    await flush();
    expect(seen).toEqual(['init']);
    expect(released).toBe(false);
    child.resolve();
    await flush();
    expect(released).toBe(true);
  });
});

describe('Lifecycle: flushers where no invoke starts (no Runtime API, a local run)', () => {
  const local = (): { tracker: Lifecycle; logger: ReturnType<typeof recordingLogger> } => {
    const timers = manualTimers();
    const logger = recordingLogger();
    const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate, concurrency: Infinity, marginMs: 500, graceMs: 0, fallbackIdleMs: 100, logger, clock: { wallNow: timers.now, monoNow: timers.now }, setTimer: timers.setTimer });
    tracker.runUnheld('no-runtime-api');
    return { tracker, logger };
  };

  it('starts a job function after the caller\'s turn under request id `local`, as without the layer; its failure line is the client\'s', async () => {
    const { tracker, logger } = local();
    let status = 'unset';
    let seen: { status: string; context: JobContext } | undefined;
    tracker.enqueue((context) => void (seen = { status, context }), 'reads-state');
    status = 'set-after-enqueue'; // the handler's next line: it ran before the job, as after a response
    expect(seen).toBeUndefined();
    await flush();
    expect(seen?.status).toBe('set-after-enqueue');
    expect(seen?.context.requestId).toBe('local');
    tracker.enqueue(() => {
      throw new Error('x');
    }, 'fails');
    await flush();
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'job failed', requestId: 'local', job: 'fails' }));
  });

  it('counts jobs in the order they start, as the client does without the layer: a promise passed after job functions starts before them', async () => {
    const { tracker } = local();
    const order: string[] = [];
    tracker.addFlusher(() => void order.push('flush'), 'telemetry');
    const [slow, fast, promise] = [deferred(), deferred(), deferred()];
    tracker.enqueue(() => slow.promise.then(() => void order.push('slow')), 'slow');
    tracker.enqueue(() => fast.promise.then(() => void order.push('fast')), 'fast');
    tracker.enqueue(promise.promise.then(() => void order.push('promise')), 'waitUntil');
    await flush();
    fast.resolve(); // the last to start: the flushers follow it
    await flush();
    promise.resolve(); // started first: `slow`, started after it, still runs
    await flush();
    slow.resolve();
    await flush();
    expect(order).toEqual(['fast', 'flush', 'promise', 'slow', 'flush']);
  });

  // The rule changed with the client's (shared/trailing-batch.ts): "a batch" is no longer "until
  // the whole set is idle", which let a job that never settles stop every later flush.
  it('runs the flushers when a job settles and no job added after it still runs, before drain resolves; what a flusher enqueues runs but is not flushed again', async () => {
    const { tracker, logger } = local();
    const order: string[] = [];
    let flushes = 0;
    tracker.addFlusher(() => {
      flushes++;
      order.push(`flush ${flushes}`);
      if (flushes < 9) tracker.enqueue(async () => void order.push(`upload ${flushes}`), 'upload'); // bounded if it looped
    }, 'telemetry');
    const job = deferred();
    tracker.enqueue(async () => {
      await job.promise;
      order.push('job a');
    }, 'a');
    tracker.enqueue(() => void order.push('job b'), 'b');
    let drained = false;
    const drain = tracker.drain().then(() => (drained = true));
    await flush();
    expect(order).toEqual(['job b', 'flush 1', 'upload 1']); // b was the last added: a does not delay its flush
    expect(drained).toBe(false);
    job.resolve();
    await drain;
    await flush(10);
    expect(drained).toBe(true);
    expect(order.slice(3)).toEqual(['job a', 'flush 2', 'upload 2']);
    // Settling in the order they were added: one flush, after the last.
    const [c, d] = [deferred(), deferred()];
    tracker.enqueue(() => c.promise.then(() => void order.push('job c')), 'c');
    tracker.enqueue(() => d.promise.then(() => void order.push('job d')), 'd');
    await flush();
    c.resolve();
    await flush(10);
    expect(order.slice(6)).toEqual(['job c']);
    d.resolve();
    await tracker.drain();
    await flush(10);
    expect(order.slice(6)).toEqual(['job c', 'job d', 'flush 3', 'upload 3']);
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([]);
  });

  it('a job that never settles (waitUntil of a promise that never settles) stops no later flush', async () => {
    const { tracker } = local();
    const order: string[] = [];
    tracker.addFlusher(() => void order.push('flush'), 'telemetry');
    tracker.enqueue(new Promise(() => {}), 'stuck waitUntil');
    tracker.enqueue(() => new Promise(() => {}), 'stuck job');
    await flush();
    tracker.enqueue(() => void order.push('job 1'), 'one');
    await flush(10);
    expect(order).toEqual(['job 1', 'flush']);
    tracker.enqueue(Promise.resolve().then(() => void order.push('job 2')), 'two');
    await flush(10);
    expect(order).toEqual(['job 1', 'flush', 'job 2', 'flush']);
  });

  it('a flusher that never settles stops no later flush; what a flusher enqueues later in its async context is not flushed again', async () => {
    const { tracker, logger } = local();
    let calls = 0;
    const ran: string[] = [];
    tracker.addFlusher(async () => {
      calls++;
      await Promise.resolve();
      tracker.enqueue(() => void ran.push(`upload ${calls}`), 'upload'); // after an await: known by its async context
      if (calls === 1) await new Promise(() => {}); // the exporter hangs once
    }, 'telemetry');
    tracker.enqueue(() => undefined, 'one');
    await flush(10);
    expect([calls, ran]).toEqual([1, ['upload 1']]);
    tracker.enqueue(() => undefined, 'two');
    await flush(10);
    expect([calls, ran]).toEqual([2, ['upload 1', 'upload 2']]);
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([]);
  });

  it('drainAfterResponse() waits for the flushers as for the jobs (no deadline here): it resolves once a slow flusher settles', async () => {
    const { tracker } = local();
    const exporter = deferred();
    tracker.addFlusher(() => exporter.promise, 'telemetry');
    tracker.enqueue(() => undefined, 'job');
    let drained = false;
    void tracker.drain().then(() => (drained = true));
    await flush(10);
    expect(drained).toBe(false);
    exporter.resolve();
    await flush(10);
    expect(drained).toBe(true);
  });

  it('a flusher still running shows in the exit report as a flusher, beside the jobs that still run', async () => {
    const { tracker } = local();
    tracker.addFlusher(() => new Promise(() => {}), 'telemetry');
    tracker.enqueue(new Promise(() => {}), 'stuck');
    tracker.enqueue(() => undefined, 'done');
    await flush(10);
    expect(tracker.unfinished()).toEqual([{ requestId: 'local', jobs: ['stuck', 'telemetry (flusher)'] }]);
  });

  it('whatever a job settles with or throws, the flushers follow it, and a flusher that throws any value is logged by name', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.constantFrom('throw', 'reject', 'resolve', 'promise'), fc.anything(), async (value, how, thrown) => {
        const { tracker, logger } = local();
        let flushes = 0;
        tracker.addFlusher(() => {
          flushes++;
          throw thrown;
        }, 'otel');
        if (how === 'promise') tracker.enqueue(Promise.reject(value), 'job');
        else
          tracker.enqueue(() => {
            if (how === 'throw') throw value;
            return how === 'reject' ? Promise.reject(value) : value;
          }, 'job');
        await tracker.drain();
        expect(flushes).toBe(1);
        expect(logger.records.filter((r) => r.message === 'flusher failed')).toEqual([expect.objectContaining({ flusher: 'otel' })]);
      }),
      { numRuns: 40 },
    );
  });

  it('a failing flusher is logged by name; with no jobs at all nothing runs; the managed-instances unheld mode is unchanged', async () => {
    const { tracker, logger } = local();
    const ran: string[] = [];
    tracker.addFlusher(() => {
      ran.push('flush');
      throw new Error('exporter down');
    }, 'otel');
    await tracker.drain();
    expect(ran).toEqual([]);
    tracker.enqueue(() => undefined, 'job');
    await tracker.drain();
    expect(ran).toEqual(['flush']);
    expect(logger.records.find((r) => r.message === 'flusher failed')).toMatchObject({ flusher: 'otel', errorMessage: 'exporter down' });
    const managed = setup({}, 'unheld').tracker;
    let managedFlushes = 0;
    managed.addFlusher(() => void managedFlushes++, 'x');
    managed.enqueue(() => undefined, 'outside-any-invoke');
    await managed.drain();
    await flush();
    expect(managedFlushes).toBe(0); // there, invokes run the flushers; a job outside any invoke does not
  });
});
