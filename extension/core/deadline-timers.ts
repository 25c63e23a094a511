/** What the deadline timers run on: an unref'd timer, and the wall clock of the deadlines. */
export interface DeadlineTimersOptions {
  /** Schedules an unref'd timer of `ms` milliseconds; returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Epoch milliseconds (`Date.now`), the clock of the platform's deadlines. */
  readonly wallNow: () => number;
}

interface Entry {
  readonly at: number;
  readonly run: () => void;
}

/** Every invoke's timer at deadline − margin, on one timer: see {@link createDeadlineTimers}. */
export interface DeadlineTimers {
  /** Calls `run` at epoch ms `at` (never for a non-finite one); returns what cancels it. */
  at(at: number, run: () => void): () => void;
}

/**
 * Every invoke's timer at deadline − margin, on one timer of the lifecycle's (invoke.ts sets one
 * per invoke with jobs). `at(ms, run)` calls `run` at epoch ms `ms`, as a timer set now for
 * `ms − wallNow()` would (at once, on a later turn, when that has passed); what it returns cancels
 * it. The one timer is set for the earliest entry and set again only for an earlier one: an invoke
 * released before its deadline (most) leaves it set for its own, and when it fires, no entry is
 * due and it is set for the earliest then. A `setTimeout` per invoke made Node's timer functions
 * (with ours, ~10) hot in the same invoke as the rest of the per-invoke path: each one more for V8
 * to compile in that burst (bench/gc-trace.ts --compiles); now one call per timeout's length.
 */
export function createDeadlineTimers(options: DeadlineTimersOptions): DeadlineTimers {
  const entries = new Set<Entry>();
  /** When the one timer is set to fire (epoch ms); undefined when none is set. */
  let armedAt: number | undefined;
  let cancel: (() => void) | undefined;
  const arm = (at: number): void => {
    cancel?.();
    armedAt = at;
    cancel = options.setTimer(() => fire(at), Math.max(0, at - options.wallNow()));
  };
  /** The timer set for `fired` fired: runs what is due, in the order of their times (of equal ones, as set), after setting it for the rest. */
  const fire = (fired: number): void => {
    armedAt = undefined;
    cancel = undefined;
    const until = Math.max(fired, options.wallNow());
    const due: Entry[] = [];
    let next: number | undefined;
    for (const entry of entries) {
      if (entry.at <= until) due.push(entry);
      else if (next === undefined || entry.at < next) next = entry.at;
    }
    if (next !== undefined) arm(next);
    due.sort((a, b) => a.at - b.at);
    // One cancelled by an earlier one's run (released by it) does not run, as its own timer would not have.
    for (const entry of due) if (entries.delete(entry)) entry.run();
  };
  return {
    at(at, run) {
      if (!Number.isFinite(at)) return noop;
      const entry: Entry = { at, run };
      entries.add(entry);
      if (armedAt === undefined || at < armedAt) arm(at);
      // Bound, not an arrow: cancelled at every release, and a bound function is no code of its own for V8 to compile.
      return entries.delete.bind(entries, entry);
    },
  };
}

function noop(): void {
  // A non-finite deadline: no timer.
}
