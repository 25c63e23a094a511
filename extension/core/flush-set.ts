import type { JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import { settle, type Settlement } from '../../shared/settle.ts';
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
  readonly runInContext: <T>(fn: () => T) => T;
  /** Called after every flusher settles. */
  readonly onChange: () => void;
}

/**
 * The flushers running for one invoke (or for the detached jobs), beside its job set
 * (invoke-jobs.ts): each starts when {@link run} is called, outside the concurrency limit, holds
 * until it settles or is abandoned at the grace's end, and is counted apart (the summary's
 * `flushed`, `flushFailed`, `flushAbandoned`). Wherever unfinished work is named (the deadline
 * and abandoning WARNs, the exit report) a flusher shows as `name (flusher)`. Made when the
 * first flusher runs: most invokes run none.
 */
export class FlushSet {
  readonly stats: FlushStats = { flushed: 0, flushFailed: 0, flushAbandoned: 0 };
  readonly #options: FlushSetOptions;
  /** Running flushers that hold, by id: labels as logs name them. */
  readonly #running = new Map<number, string>();
  /** Flushers still running after they were abandoned: they hold nothing, but an exit names them. */
  readonly #abandoned = new Map<number, string>();
  #seq = 0;

  constructor(options: FlushSetOptions) {
    this.#options = options;
  }

  /** No flusher holds. */
  get idle(): boolean {
    return this.#running.size === 0;
  }

  /** A flusher runs, held or abandoned. */
  get busy(): boolean {
    return this.#running.size > 0 || this.#abandoned.size > 0;
  }

  /** Names of the flushers still running, held or abandoned. */
  unfinished(): string[] {
    return [...this.#running.values(), ...this.#abandoned.values()];
  }

  /**
   * Starts every flusher in `flushers`. Each counts as running at once (the invoke must not be
   * released before it starts), but is called off the caller's stack: that may be the runtime's
   * own `next` or `done` call.
   */
  run(flushers: readonly FlusherEntry[]): void {
    const { context, defer, runInContext } = this.#options;
    for (const { run, name } of flushers) {
      const id = ++this.#seq;
      this.#running.set(id, `${name} (flusher)`);
      const call = (): Promise<unknown> => new Promise<void>((start) => defer(() => start())).then(() => run(context));
      settle(() => runInContext(call), (outcome) => this.#settled(id, name, outcome));
    }
  }

  /** The grace is over: running flushers are abandoned (hold nothing from now on); returns their names. */
  abandon(): string[] {
    const names = [...this.#running.values()];
    for (const [id, label] of this.#running) this.#abandoned.set(id, label);
    this.stats.flushAbandoned += this.#running.size;
    this.#running.clear();
    return names;
  }

  #settled(id: number, flusher: string, outcome: Settlement): void {
    const held = this.#running.delete(id);
    this.#abandoned.delete(id);
    if (held) this.stats[outcome.ok ? 'flushed' : 'flushFailed']++;
    reportFlusher(this.#options.logger, { requestId: this.#options.requestId, flusher, phase: held ? 'held' : 'abandoned', outcome });
    this.#options.onChange();
  }
}
