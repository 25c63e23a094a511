/**
 * How a job begins: `held` (it holds its owner until it settles or is abandoned), `unheld` (it
 * holds nothing). A queued function `JobSet.launch` starts (`begin(job, queued, 'held')`) is held, already in
 * the owner's context, and frees its slot when it settles. A string, not an options object: this
 * runs for every job.
 */
export type JobStart = 'held' | 'unheld';

/** How a started job is tracked: its label (how logs name it) and what its owner adds. */
export interface TrackedJob {
  readonly label: string;
}

/** Settled; holding its owner; holding nothing (unheld from the start, or abandoned). */
export type JobState = 0 | 1 | 2;
export const SETTLED: JobState = 0;
export const HELD: JobState = 1;
export const UNHELD: JobState = 2;

/**
 * A started job, until it settles. An object literal, not a class: a class's constructor and its
 * fields' initializer are two more functions V8 compiles in the per-job burst (bench/gc-trace.ts --compiles).
 */
export interface Started<T> {
  readonly id: number;
  readonly job: T;
  state: JobState;
}

/** A started job as its set (`S`) runs it: the entry, with its set and whether it is a queued job (its slot is freed when it settles). */
export interface Running<T, S> extends Started<T> {
  readonly set: S;
  readonly slot: boolean;
}

/**
 * The started jobs of one job set (shared/job-set.ts), in start order, with counts of those that
 * hold and those that hold nothing. Settled ones are dropped when none is left, or when they are
 * most of the array. Not two `Map`s by id: their tables grew and shrank as each invoke's jobs
 * started and settled (2.3 KB per invoke of 10 jobs on nodejs24.x, bench/alloc-sampling.ts).
 * An abandoned job moves to the end, unheld: an exit names it after the jobs that held nothing before.
 */
export class StartedJobs<T> {
  // Fields only declared, set in the constructor (why: extension/core/invoke.ts).
  private declare readonly _entries: Array<Started<T>>;
  private declare _held: number;
  private declare _unheld: number;

  constructor() {
    this._entries = [];
    this._held = 0;
    this._unheld = 0;
  }

  get held(): number {
    return this._held;
  }

  get unheld(): number {
    return this._unheld;
  }

  add(entry: Started<T>): void {
    this._entries.push(entry);
    if (entry.state === HELD) this._held++;
    else this._unheld++;
  }

  /** `entry` settled; returns whether it still held its owner. */
  settle(entry: Started<T>): boolean {
    const held = entry.state === HELD;
    if (held) this._held--;
    else this._unheld--;
    entry.state = SETTLED;
    // Settled entries forgotten here, not in a method of their own: this runs per job (one function fewer to compile).
    const live = this._held + this._unheld;
    if (live === 0) this._entries.length = 0;
    else if (this._entries.length >= 32 && live * 2 < this._entries.length) {
      let kept = 0;
      for (const started of this._entries) if (started.state !== SETTLED) this._entries[kept++] = started;
      this._entries.length = kept;
    }
    return held;
  }

  /** The jobs in `state`, in start order. */
  inState(state: JobState): T[] {
    return this._entries.filter((entry) => entry.state === state).map((entry) => entry.job);
  }

  /** Every holding job stops holding (it runs on, unheld); returns them with their ids. */
  abandonHeld(): Array<[number, T]> {
    const abandoned: Array<Started<T>> = [];
    let kept = 0;
    for (const entry of this._entries) {
      if (entry.state === HELD) abandoned.push(entry);
      else this._entries[kept++] = entry;
    }
    this._entries.length = kept;
    for (const entry of abandoned) {
      entry.state = UNHELD;
      this._entries.push(entry);
    }
    this._held = 0;
    this._unheld += abandoned.length;
    return abandoned.map((entry) => [entry.id, entry.job]);
  }

  /** The unsettled job with this id. */
  running(id: number): T | undefined {
    const entry = this._entries.find((started) => started.id === id);
    return entry && entry.state !== SETTLED ? entry.job : undefined;
  }
}
