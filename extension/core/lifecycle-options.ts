import type { Flusher } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { InvokeContext } from './invoke-context.ts';
import type { Clock, InvokeSummary } from './invoke.ts';

/** A registered flusher (see `flushAfterResponse`). */
export interface FlusherEntry {
  readonly run: Flusher;
  readonly name: string;
}

export interface LifecycleOptions {
  readonly concurrency: number;
  readonly marginMs: number;
  readonly graceMs: number;
  readonly fallbackIdleMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Schedules an unref'd timer and returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Runs `run` after the current turn (after queued microtasks). @default setImmediate */
  readonly defer?: (run: () => void) => void;
  /** @default a new AsyncLocalStorage-based context */
  readonly context?: InvokeContext;
  /** Told at the release of every invoke that had jobs (AFTER_RESPONSE_METRICS). */
  readonly onSummary?: (summary: InvokeSummary) => void;
}

/** An INVOKE event as the extension loop received it. */
export interface InvokeEvent {
  readonly requestId: string;
  readonly deadlineMs: number;
}

/** Unfinished jobs of one invoke, for the exit report. */
export interface UnfinishedJobs {
  readonly requestId: string;
  readonly jobs: readonly string[];
}
