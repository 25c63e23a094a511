import { createLogger, type Logger, type LogLevel } from '../../client/log-line.ts';
import { InvokeTracker, type TrackerOptions } from '../../extension/invoke-tracker.ts';

/** A logger that keeps parsed records, for assertions on what a user would read in CloudWatch. */
export function recordingLogger(level: LogLevel = 'TRACE'): Logger & { records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return Object.assign(logger, { records });
}

/** Manual timers: `advance(ms)` runs what is due, in order. */
export function manualTimers(start = 1_000_000): {
  now: () => number;
  setTimer: (run: () => void, ms: number) => () => void;
  advance: (ms: number) => void;
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
  };
}

/** Lets pending promise callbacks and setImmediate callbacks run. */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A held, observed tracker with manual timers, a recording logger and a deadline 3 s out. */
export function trackerSetup(overrides: Partial<TrackerOptions> = {}) {
  const timers = manualTimers();
  const logger = recordingLogger();
  const tracker = new InvokeTracker({ concurrency: Infinity, marginMs: 500, fallbackIdleMs: 100, logger, now: timers.now, setTimer: timers.setTimer, ...overrides });
  tracker.observed = true;
  tracker.held = true;
  const deadline = timers.now() + 3000;
  return { tracker, timers, logger, deadline };
}

/** A promise with its resolve and reject, for jobs the test settles by hand. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
