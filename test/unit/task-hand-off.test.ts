import { describe, expect, it } from 'vitest';
import type { HandOffReason } from '../../shared/host-protocol.ts';
import { installExitReport, type ExitSource } from '../../extension/reporting/exit-report.ts';
import { handOffAtShutdown, SHUTDOWN_HAND_OFF_MS } from '../../extension/reporting/shutdown-hand-offs.ts';
import { nameHandOff, taskFields } from '../../extension/core/hand-offs.ts';
import { HAND_OFF_SAFETY_MS } from '../../extension/core/invoke-deadline.ts';
import { deferred, flush, recordingLogger, runtimeInvoke, trackerSetup } from './fakes.ts';

/** A hand-off that records its calls into `events` and settles when the test says. */
function recordedHandOff(name: string, events: string[]) {
  const sent = deferred();
  const calls: HandOffReason[] = [];
  const run = (reason: HandOffReason): Promise<void> => {
    calls.push(reason);
    events.push(`hand-off ${name} (${reason})`);
    return sent.promise;
  };
  return { run, calls, sent };
}

describe('extension: tasks that cannot finish in their invoke are handed off before the release', () => {
  it('a job that never started is handed off at the abort, and the release waits for the hand-off', async () => {
    const { tracker, timers, deadline } = trackerSetup({ concurrency: 1, graceMs: 250 });
    const events: string[] = [];
    const blocker = deferred();
    const task = recordedHandOff('queued', events);
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => blocker.promise, 'blocker');
      tracker.enqueue(() => events.push('queued ran'), 'task queued', task.run);
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => events.push(`released ${reason}`));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500); // deadline − margin: the abort
    expect(task.calls).toEqual(['never-started']);
    blocker.resolve(); // the running job stops within the grace: the invoke is idle, yet the hand-off is pending
    await flush();
    expect(events).toEqual(['hand-off queued (never-started)']);
    task.sent.resolve();
    await released;
    expect(events).toEqual(['hand-off queued (never-started)', 'released deadline']);
  });

  it('a job still running when the grace ends is handed off as abandoned; the release follows the hand-off', async () => {
    const { tracker, timers, deadline, logger } = trackerSetup({ graceMs: 250 });
    const events: string[] = [];
    const task = recordedHandOff('slow', events);
    await runtimeInvoke(tracker, 'r1', deadline, () => tracker.enqueue(() => new Promise(() => {}), 'task slow', task.run));
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => events.push(`released ${reason}`));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2500);
    expect(task.calls).toEqual([]); // running jobs get the grace first
    timers.advance(250);
    expect(task.calls).toEqual(['abandoned']);
    await flush();
    expect(events).toEqual(['hand-off slow (abandoned)']);
    task.sent.resolve();
    await released;
    expect(events).toEqual(['hand-off slow (abandoned)', 'released deadline']);
    expect(logger.records.some((r) => String(r.message).startsWith('hand-offs did not finish'))).toBe(false);
  });

  it('a hand-off that never settles holds the release only until deadline − safety, then is named in an ERROR (with its taskId and attempt)', async () => {
    const { tracker, timers, deadline, logger } = trackerSetup({ graceMs: 250 });
    const task = recordedHandOff('stuck', []);
    nameHandOff(task.run, { taskId: 'order-7', attempt: 1 });
    await runtimeInvoke(tracker, 'r1', deadline, () => tracker.enqueue(() => new Promise(() => {}), 'task stuck', task.run));
    let released = false;
    const holding = tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then(() => (released = true));
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2750); // the grace is over: handing off
    timers.advance(deadline - HAND_OFF_SAFETY_MS - 1 - timers.now());
    await flush();
    expect(released).toBe(false);
    timers.advance(1); // deadline − safety
    await holding;
    expect(logger.records.find((r) => String(r.message).startsWith('hand-offs did not finish'))).toMatchObject({ level: 'ERROR', requestId: 'r1', jobs: ['task stuck'], tasks: [{ job: 'task stuck', taskId: 'order-7', attempt: 1 }] });
  });

  it('a job that settles in time is never handed off, and one that throws from its hand-off does not stop the release', async () => {
    const { tracker, timers, deadline } = trackerSetup({ graceMs: 250 });
    const calls: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => undefined, 'task quick', (reason) => Promise.resolve(void calls.push(`quick ${reason}`)));
      tracker.enqueue(() => new Promise(() => {}), 'task bad', (reason) => {
        calls.push(`bad ${reason}`);
        throw new Error('hand-off bug');
      });
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    timers.advance(2750);
    await expect(released).resolves.toBe('deadline');
    expect(calls).toEqual(['bad abandoned']);
  });
});

function fakeProcess(): ExitSource & { emit(event: 'exit' | 'SIGTERM', code?: number): void; killed: string[] } {
  const listeners: Record<string, Array<(code: number) => void>> = { exit: [], SIGTERM: [] };
  const source = {
    pid: 42,
    killed: [] as string[],
    once(event: 'exit' | 'SIGTERM', listener: (code: number) => void) {
      listeners[event]?.push(listener);
      return source;
    },
    listenerCount: () => listeners.SIGTERM?.length ?? 0,
    kill: (pid: number, signal: string) => void source.killed.push(`${pid} ${signal}`),
    emit(event: 'exit' | 'SIGTERM', code = 0) {
      for (const listener of listeners[event]?.splice(0) ?? []) listener(code);
    },
  };
  return source;
}

describe('exit report: SIGTERM hands unfinished tasks off, bounded, then says which were sent and which are lost', () => {
  it('sent tasks are not reported lost; a failed or slow hand-off is; the signal is re-raised after', async () => {
    const logger = recordingLogger();
    const source = fakeProcess();
    const timers: Array<() => void> = [];
    const order: string[] = [];
    const slow = deferred();
    const runs = {
      a: (reason: HandOffReason) => Promise.resolve(void order.push(`a ${reason}`)),
      b: () => Promise.reject(new Error('queue unreachable')),
      c: () => slow.promise,
    };
    nameHandOff(runs.a, { taskId: 'id-a', attempt: 1 });
    nameHandOff(runs.b, { taskId: 'id-b', attempt: 1 });
    nameHandOff(runs.c, { taskId: 42 }); // malformed: named by its job only
    installExitReport({
      unfinished: () => [{ requestId: 'r1', jobs: ['task a', 'task b (never started)', 'task c', 'plain job'] }],
      handOffs: () => [
        { requestId: 'r1', name: 'task a', run: runs.a },
        { requestId: 'r1', name: 'task b (never started)', run: runs.b },
        { requestId: 'r1', name: 'task c', run: runs.c },
      ],
      logger, source, signals: 'main-thread', loadHandOff: () => handOffAtShutdown, taskFields,
      setTimer: (run, ms) => {
        expect(ms).toBe(SHUTDOWN_HAND_OFF_MS);
        timers.push(run);
      },
    });
    source.emit('SIGTERM');
    await flush();
    expect(order).toEqual(['a shutdown']);
    expect(source.killed).toEqual([]); // still waiting for task c
    timers[0]?.(); // the bound
    await flush();
    slow.resolve(); // too late to count
    await flush();
    expect(source.killed).toEqual(['42 SIGTERM']);
    const handOffLine = logger.records.find((r) => String(r.message).includes('handed off'));
    expect(handOffLine).toMatchObject({ level: 'ERROR', requestId: 'r1', sent: ['task a'], lost: ['task b (never started)', 'task c'] });
    expect(handOffLine?.tasks).toEqual([{ job: 'task a', taskId: 'id-a', attempt: 1, outcome: 'sent' }, { job: 'task b (never started)', taskId: 'id-b', attempt: 1, outcome: 'lost' }]);
    expect(logger.records.find((r) => String(r.message).includes('handing off unfinished tasks'))?.taskIds).toEqual([{ job: 'task a', taskId: 'id-a', attempt: 1 }, { job: 'task b (never started)', taskId: 'id-b', attempt: 1 }]);
    const lostLine = logger.records.find((r) => String(r.message).includes('never finished and are lost'));
    expect(lostLine).toMatchObject({ jobs: ['task b (never started)', 'task c', 'plain job'] });
  });

  it('the lifecycle lists a queued task under its never-started name and a running one under its own', async () => {
    const { tracker, deadline } = trackerSetup({ concurrency: 1 });
    const noop = (): Promise<void> => Promise.resolve();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => new Promise(() => {}), 'task running', noop);
      tracker.enqueue(() => undefined, 'task waiting', noop);
      tracker.enqueue(() => undefined, 'plain');
    });
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    tracker.responsePosted('r1', 'returned');
    await flush();
    const names = tracker.unfinishedHandOffs().map((entry) => [entry.requestId, entry.name]);
    expect(names).toEqual([['r1', 'task waiting (never started)'], ['r1', 'task running']]);
    const listed = tracker.unfinished()[0]?.jobs ?? [];
    for (const [, name] of names) expect(listed).toContain(name);
  });
});

describe('a task enqueued after its invoke was released (late, unheld)', () => {
  it('is still named at exit and handed off at SIGTERM, even when its invoke was idle at the release', async () => {
    const { tracker, timers, deadline } = trackerSetup({ graceMs: 250 });
    const handOffs: string[] = [];
    let enqueueLate!: () => void;
    void runtimeInvoke(tracker, 'r1', deadline, async () => {
      await new Promise<void>((resolve) => (enqueueLate = resolve));
      tracker.enqueue(() => new Promise(() => {}), 'task late', (reason) => Promise.resolve(void handOffs.push(reason)));
      await new Promise(() => {}); // the handler outlives the timeout
    });
    await flush();
    tracker.enqueue(() => undefined, 'task early'); // makes the invoke hold, then go idle
    const held = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await flush();
    timers.advance(2500 + 250); // deadline − margin, then the grace's end: the handler still runs, so held to it
    await held;
    enqueueLate();
    await flush();
    expect(tracker.unfinished()).toEqual([{ requestId: 'r1', jobs: ['task late'] }]);
    await tracker.unfinishedHandOffs()[0]?.run('shutdown');
    expect(handOffs).toEqual(['shutdown']);
  });
});
