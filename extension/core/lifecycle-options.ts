import type { Logger } from '../../shared/log-line.ts';
import type { AsyncContext } from './async-context.ts';
import type { Clock, InvokeSummary } from './invoke-options.ts';
import type { Invoke } from './invoke.ts';

export type { FlusherEntry } from './flusher-registry.ts';

export interface LifecycleOptions {
  readonly concurrency: number;
  readonly marginMs: number;
  readonly graceMs: number;
  readonly fallbackIdleMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Schedules an unref'd timer and returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Runs `run` after the current turn, after queued microtasks (Node's `setImmediate`). */
  readonly defer: (run: () => void) => void;
  /** Lifts the listener limit of a job signal (main.ts: Node's `events.setMaxListeners(0, signal)`). @default none */
  readonly raiseListenerLimit?: (signal: AbortSignal) => void;
  /** The async context port (runtime-hooks/als-context.ts in the layer). */
  readonly context: AsyncContext<Invoke>;
  /** Told at the release of every invoke that had jobs (AFTER_RESPONSE_METRICS). */
  readonly onSummary?: (summary: InvokeSummary) => void;
  /**
   * Told once, before the first job, external job or flusher enters: main.ts installs the exit
   * report then (until then there is nothing it could name). Must not throw. @default none
   */
  readonly onFirstWork?: () => void;
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
