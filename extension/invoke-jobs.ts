import type { HandOffReason, Job, JobContext } from '../client/host-interface.ts';
import type { Logger } from '../client/log-line.ts';
import { settle, type Settlement } from '../client/settle.ts';
import { deadlineAbortReason } from '../client/socket-wire.ts';
import { LazyContext } from './job-context.ts';
import { reportFlusher, reportSettlement } from './job-report.ts';

// Not `import`: an ESM import of a builtin builds its namespace at init (see main.ts).
const { setMaxListeners } = process.getBuiltinModule('node:events');

/** Counts reported in the per-invoke summary line. */
export interface JobStats {
  enqueued: number;
  started: number;
  succeeded: number;
  failed: number;
  abandoned: number;
}

/** Flusher counts of one invoke, in the summary line when any flusher ran (field names as logged). */
export interface FlushStats {
  flushed: number;
  flushFailed: number;
  flushAbandoned: number;
}

/** A job's hand-off (host-interface.ts): passes it on when it cannot finish in its invoke. */
export type HandOff = (reason: HandOffReason) => Promise<void>;

/** A hand-off due, with the job's name: taken by the invoke at the abort and when the grace ends. */
export interface DueHandOff {
  readonly name: string;
  readonly reason: HandOffReason;
  readonly run: HandOff;
}

interface QueuedJob {
  readonly name: string;
  readonly run: (context: JobContext) => unknown;
  readonly handOff?: HandOff | undefined;
}

/**
 * How a job joins: `held` (counted, holds the invoke), `internal` (the extension's own hold: holds,
 * not counted), `late` (its invoke was already released: runs at once, holds nothing), `unheld`
 * (belongs to no invoke and nothing is held: runs at once), `flush` (a flusher: starts at once,
 * outside the concurrency limit, holds, not counted, logged as a flusher).
 */
export type JobKind = 'held' | 'internal' | 'late' | 'unheld' | 'flush';

export interface InvokeJobsOptions {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  /** Called after every change that may have made the set idle. */
  readonly onChange: () => void;
  /** Runs a job function inside its invoke's async context (attribution of what it enqueues). */
  readonly runInContext: <T>(fn: () => T) => T;
  /** Starts queued functions off the caller's stack. @default setImmediate */
  readonly defer?: (run: () => void) => void;
}

/**
 * The jobs of one invoke: functions queued until the response is posted, then started in FIFO
 * order under a concurrency limit; promises tracked from the moment they are passed. Knows
 * nothing of deadlines or releases: the invoke (invoke.ts) decides those and calls
 * {@link abort} and {@link abandon}.
 */
export class InvokeJobs {
  readonly stats: JobStats = { enqueued: 0, started: 0, succeeded: 0, failed: 0, abandoned: 0 };
  /** Made when the first flusher starts: most invokes run none. */
  flushStats: FlushStats | undefined;
  readonly #queue: QueuedJob[] = [];
  /** Unfinished held and internal jobs, by id: their names are what abandonment and exit report. */
  readonly #running = new Map<number, string>();
  /** Unfinished late and abandoned jobs: they hold nothing, but an exit still names them. */
  readonly #unheld = new Map<number, string>();
  /** Hand-offs of started jobs that have one (tasks), by id. Made on first use. */
  #handOffs: Map<number, HandOff> | undefined;
  /** Hand-offs due (never-started jobs at the abort, running ones when the grace ends), until taken. */
  #due: DueHandOff[] = [];
  /** Ids of running flushers: their abandonment is not a job's. Made on first use. */
  #flushIds: Set<number> | undefined;
  readonly #options: InvokeJobsOptions;
  readonly #context: JobContext;
  #controller: AbortController | undefined;
  #queueHead = 0;
  /** Job functions running now: the concurrency limit counts these only (promises are tracked, not run). */
  #functionsRunning = 0;
  #started = false;
  #aborted = false;
  #seq = 0;

  constructor(options: InvokeJobsOptions) {
    this.#options = options;
    this.#context = new LazyContext(this, options.requestId, options.deadlineMs);
  }

  /**
   * Aborts when the deadline nears (what job functions receive as `signal`). Made on first
   * read: Node tracks every AbortSignal weakly, which keeps it alive past young-generation GCs;
   * one per invoke grew V8's new space and the runtime's RSS by ~10 MB (measured).
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // Every job may listen to the one signal (external jobs always do): no leak warning at 11.
      setMaxListeners(0, this.#controller.signal);
      if (this.#aborted) this.#controller.abort(deadlineAbortReason());
    }
    return this.#controller.signal;
  }

  get requestId(): string {
    return this.#options.requestId;
  }

  get deadlineMs(): number {
    return this.#options.deadlineMs;
  }

  /** True while any job, held or not, is queued or unfinished. */
  get busy(): boolean {
    return !this.idle || this.#unheld.size > 0;
  }

  /** True when no held or internal job is queued or unfinished (late and abandoned ones hold nothing). */
  get idle(): boolean {
    return this.#running.size === 0 && this.#queueHead === this.#queue.length;
  }

  /** Names of every unfinished job, held or not (for the exit report). */
  unfinished(): string[] {
    return [...this.#running.values(), ...this.#neverStarted(), ...this.#unheld.values()];
  }

  add(job: Job, name: string, kind: JobKind, handOff?: HandOff): void {
    // A flusher counts as running at once (the invoke must not be released before it starts), but
    // starts off the caller's stack: that may be the runtime's own `next` or `done` call.
    if (kind === 'flush') return this.#track(name, kind, () => new Promise<void>((start) => (this.#options.defer ?? setImmediate)(() => start())).then(() => (typeof job === 'function' ? job(this.#context) : job)));
    if (kind !== 'internal') this.stats.enqueued++;
    if (runsAtOnce(kind)) return this.#track(name, kind, typeof job === 'function' ? () => job(this.#context) : () => job, { handOff });
    if (typeof job !== 'function') return this.#track(name, kind, () => job);
    this.#queue.push({ name, run: job, handOff });
    if (this.#started) this.#scheduleStart();
  }

  /** The response is out (or a drain asked for it): queued functions may start. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#queue.length > this.#queueHead) this.#scheduleStart();
  }

  /**
   * The deadline margin is reached: the signal aborts, and functions that never started are
   * dropped and returned by name. Running jobs keep going for the grace the invoke gives them.
   */
  abort(): string[] {
    this.#aborted = true;
    this.#controller?.abort(deadlineAbortReason());
    const never = this.#neverStarted();
    for (const job of this.#queue.slice(this.#queueHead)) if (job.handOff) this.#due.push({ name: job.name, reason: 'never-started', run: job.handOff });
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.stats.abandoned += never.length;
    return never;
  }

  /** The grace is over: what still runs is abandoned (holds nothing from now on); returns the names. */
  abandon(): string[] {
    const names = [...this.#running.values()];
    for (const [id, name] of this.#running) {
      this.#unheld.set(id, name);
      const handOff = this.#handOffs?.get(id);
      if (handOff) this.#due.push({ name, reason: 'abandoned', run: handOff });
    }
    this.#running.clear();
    const flushers = this.#flushIds?.size ?? 0;
    this.stats.abandoned += names.length - flushers; // flushers are not jobs
    if (this.flushStats) this.flushStats.flushAbandoned += flushers;
    return [...names, ...this.abort()];
  }

  /** The hand-offs due since the last call (see {@link abort} and {@link abandon}). */
  takeHandOffs(): DueHandOff[] {
    return this.#due.splice(0);
  }

  /** Every unfinished job's hand-off, queued, running or abandoned (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> {
    // Named as unfinished() names them, so the exit report can tell the sent from the lost.
    const queued = this.#queue.slice(this.#queueHead).flatMap((job) => (job.handOff ? [{ name: `${job.name} (never started)`, run: job.handOff }] : []));
    const started = [...(this.#handOffs ?? [])].map(([id, run]) => ({ name: this.#running.get(id) ?? this.#unheld.get(id) ?? '?', run }));
    return [...queued, ...started];
  }

  #neverStarted(): string[] {
    return this.#queue.slice(this.#queueHead).map((job) => `${job.name} (never started)`);
  }

  #scheduleStart(): void {
    (this.#options.defer ?? setImmediate)(() => this.#pump());
  }

  #pump(): void {
    while (this.#started && this.#functionsRunning < this.#options.concurrency && this.#queueHead < this.#queue.length) {
      const job = this.#queue[this.#queueHead++] as QueuedJob;
      this.stats.started++;
      this.#functionsRunning++;
      this.#track(job.name, 'held', () => job.run(this.#context), { slot: true, handOff: job.handOff });
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    }
  }

  #track(name: string, kind: JobKind, work: () => unknown, { slot = false, handOff }: { slot?: boolean; handOff?: HandOff | undefined } = {}): void {
    const id = ++this.#seq;
    if (handOff) (this.#handOffs ??= new Map()).set(id, handOff);
    // A flusher shows as such wherever unfinished work is named (abandonment, the exit report).
    (runsAtOnce(kind) ? this.#unheld : this.#running).set(id, kind === 'flush' ? `${name} (flusher)` : name);
    if (kind === 'flush') {
      (this.#flushIds ??= new Set()).add(id);
      this.flushStats ??= { flushed: 0, flushFailed: 0, flushAbandoned: 0 };
    }
    settle(() => this.#options.runInContext(work), (outcome) => {
      if (slot) this.#functionsRunning--;
      this.#settled(id, name, kind, outcome);
    });
  }

  #settled(id: number, name: string, kind: JobKind, outcome: Settlement): void {
    const held = this.#running.delete(id);
    this.#unheld.delete(id);
    this.#handOffs?.delete(id);
    const phase = held || kind === 'unheld' ? 'held' : kind === 'late' ? 'late' : 'abandoned';
    if (held && kind !== 'internal' && kind !== 'flush') {
      if (outcome.ok) this.stats.succeeded++;
      else this.stats.failed++;
    }
    if (kind === 'flush') {
      this.#flushIds?.delete(id);
      if (held && this.flushStats) this.flushStats[outcome.ok ? 'flushed' : 'flushFailed']++;
      reportFlusher(this.#options.logger, { requestId: this.#options.requestId, flusher: name, phase, outcome });
    } else reportSettlement(this.#options.logger, { requestId: this.#options.requestId, job: name, jobId: id, phase, outcome });
    if (held) this.#pump();
    this.#options.onChange();
  }
}

/** Late and unheld jobs start when added and hold nothing. */
function runsAtOnce(kind: JobKind): boolean {
  return kind === 'late' || kind === 'unheld';
}
