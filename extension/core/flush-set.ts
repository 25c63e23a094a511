import type { JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import { JobSet, type TrackedJob } from '../../shared/job-set.ts';
import type { Settlement } from '../../shared/settle.ts';
import type { FlusherEntry } from './flusher-registry.ts';
import { reportFlusher } from './job-report.ts';
import type { FlushStats } from './job-stats.ts';

export interface FlushSetOptions {
  readonly requestId: string;
  readonly logger: Logger;
  /** What every flusher receives: its invoke's job context (the same signal as its jobs). */
  readonly context: JobContext;
  /** Runs `run` after the current turn (Node's `setImmediate`). */
  readonly defer: (run: () => void) => void;
  /** Runs a flusher inside its invoke's async context (what it enqueues is that invoke's). */
  readonly runInContext: (fn: () => unknown) => unknown;
  /** Called after every flusher settles. */
  readonly onChange: () => void;
}

/**
 * The flushers running for one invoke (or for the detached jobs), beside its job set
 * (invoke-jobs.ts): each starts when {@link run} is called, outside the concurrency limit, holds
 * until it settles or is abandoned at the grace's end, and is counted apart (the summary's
 * `flushed`, `flushFailed`, `flushAbandoned`). Wherever unfinished work is named (the deadline
 * and abandoning WARNs, the exit report) a flusher shows as `name (flusher)`. Made when the
 * first flusher runs: most invokes run none. On the job engine (shared/job-set.ts): its tracking of
 * held and abandoned work, without its queue (flushers are never queued).
 */
/** A running flusher: its name, and how unfinished work names it. */
interface TrackedFlusher extends TrackedJob {
  readonly name: string;
}

export class FlushSet extends JobSet<TrackedFlusher> {
  // Made per invoke where flushers are registered: fields only declared, set in the constructor (why: invoke.ts).
  declare readonly stats: FlushStats;
  private declare readonly _flushOptions: FlushSetOptions;

  constructor(options: FlushSetOptions) {
    // The engine's own context is never read: flushers get their invoke's (`options.context`).
    super({ requestId: options.requestId, deadlineMs: options.context.deadlineMs, concurrency: Number.POSITIVE_INFINITY, defer: options.defer, runInContext: options.runInContext });
    this.stats = { flushed: 0, flushFailed: 0, flushAbandoned: 0 };
    this._flushOptions = options;
  }

  /**
   * Starts every flusher in `flushers`. Each counts as running at once (the invoke must not be
   * released before it starts), but is called off the caller's stack: that may be the runtime's
   * own `next` or `done` call.
   */
  run(flushers: readonly FlusherEntry[]): void {
    const { context } = this._flushOptions;
    for (const { run, name } of flushers) this.begin({ name, label: `${name} (flusher)` }, this.offStack(() => run(context)), 'held');
  }

  /** The grace is over: running flushers are abandoned (hold nothing from now on); returns their names. */
  abandon(): string[] {
    const abandoned = this.abandonHeld();
    this.stats.flushAbandoned += abandoned.length;
    return abandoned.map(([, { label }]) => label);
  }

  protected launch(): void {
    // Never called: nothing is queued.
  }

  protected settled(_id: number, { name }: TrackedFlusher, outcome: Settlement, held: boolean): void {
    if (held) this.stats[outcome.ok ? 'flushed' : 'flushFailed']++;
    reportFlusher(this._flushOptions.logger, { requestId: this._flushOptions.requestId, flusher: name, phase: held ? 'held' : 'abandoned', outcome });
  }

  protected changed(): void {
    this._flushOptions.onChange();
  }
}
