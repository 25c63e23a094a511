import { createLogger, type Logger, type LogLevel } from '../../shared/log-line.ts';
import { Lifecycle, type LifecycleOptions } from '../../extension/core/lifecycle.ts';
import { AlsContext } from '../../extension/runtime-hooks/als-context.ts';

/** A logger that keeps parsed records, for assertions on what a user would read in CloudWatch. */
export function recordingLogger(level: LogLevel = 'TRACE'): Logger & { records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return Object.assign(logger, { records });
}

/** Manual timers: `advance(ms)` runs what is due, in order; `block(ms)` moves the clock and runs none (the event loop blocked, or a timer late). */
export function manualTimers(start = 1_000_000): {
  now: () => number;
  setTimer: (run: () => void, ms: number) => () => void;
  advance: (ms: number) => void;
  block: (ms: number) => void;
} {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimer(run, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, run });
      return () => timers.delete(id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = until;
    },
    block(ms) {
      now += ms;
    },
  };
}

/** Lets pending promise callbacks and setImmediate callbacks run. */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A held, observed lifecycle with manual timers (wall clock = monotonic here), a recording logger and a deadline 3 s out. */
export function trackerSetup(overrides: Partial<LifecycleOptions> = {}, mode: 'held' | 'unheld' | 'unobserved' = 'held') {
  const timers = manualTimers();
  const logger = recordingLogger();
  const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate,
    concurrency: Infinity, marginMs: 500, graceMs: 0, fallbackIdleMs: 100, logger,
    clock: { wallNow: timers.now, monoNow: timers.now }, setTimer: timers.setTimer, ...overrides,
  });
  if (mode !== 'unobserved') tracker.observed();
  if (mode === 'unheld') tracker.runUnheld('managed-instances');
  else tracker.registered();
  const deadline = timers.now() + 3000;
  return { tracker, timers, logger, deadline };
}

/**
 * What both runtime clients do: call the native `next` synchronously from an async function,
 * await it, and run the handler in that continuation. Run from a fresh immediate, so the context
 * slot entered by `runtimeNext` stays out of the test's own async context.
 */
export function runtimeInvoke<T>(tracker: Lifecycle, requestId: string, deadlineMs: number, handler: () => T): Promise<Awaited<T>> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      const loop = async (): Promise<Awaited<T>> => {
        tracker.runtimeNext();
        await Promise.resolve().then(() => tracker.invokeStarted(requestId, deadlineMs));
        return await handler();
      };
      loop().then(resolve, reject);
    });
  });
}

/** A promise with its resolve and reject, for jobs the test settles by hand. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
