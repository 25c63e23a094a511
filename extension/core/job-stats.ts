/**
 * Counts reported in the per-invoke summary line (docs/observability.md, "The summary line"),
 * kept by the invoke's job set (invoke-jobs.ts): held jobs only. Jobs the
 * extension opens for itself (a socket connection's first-line hold), late jobs (after the
 * summary) and flushers (counted apart) are not. At the summary every counted job is in exactly
 * one end state: `enqueued = started + neverStarted`, `started = succeeded + failed + abandoned`.
 */
export interface JobStats {
  /** Every held job: functions, promises, socket jobs, hold commands. */
  enqueued: number;
  /** Jobs that began to run: a function when it is called, a promise or socket job when it is passed. */
  started: number;
  /** Settled while held. */
  succeeded: number;
  failed: number;
  /** Still running when the grace ended (named in the abandoning WARN). */
  abandoned: number;
  /** Functions still queued at the deadline abort, dropped unstarted (named in the deadline WARN). */
  neverStarted: number;
}

/** Flusher counts of one invoke, in the summary line when any flusher ran (field names as logged). */
export interface FlushStats {
  flushed: number;
  flushFailed: number;
  flushAbandoned: number;
}

/**
 * How a job joins: `held` (counted, holds the invoke), `internal` (the extension's own hold: holds,
 * not counted), `late` (its invoke was already released: runs at once, holds nothing), `unheld`
 * (belongs to no invoke and nothing is held: runs at once). Flushers are no kind of job: they run
 * in their own set (flush-set.ts), counted apart.
 */
export type JobKind = 'held' | 'internal' | 'late' | 'unheld';

/** How a job placed in an invoke before its release holds it: a user's job, or the extension's own. */
export type HeldKind = Extract<JobKind, 'held' | 'internal'>;
