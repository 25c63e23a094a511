import type { ErrorDescription } from '../../shared/describe-error.ts';

/** A job whose work happens elsewhere (another process, over the socket): finished explicitly. */
export interface ExternalJob {
  /** Settles the job once; later calls are ignored. */
  finish(outcome: { readonly ok: true } | { readonly ok: false; readonly message: string; readonly error?: ErrorDescription }): void;
  /** Runs `listener` once if the invoke's deadline nears before the job finished. */
  onAbort(listener: () => void): void;
  /** The invoke the job belongs to, once known (a job opened between invokes joins the next). */
  requestId(): string | undefined;
  /** That invoke's deadline (epoch ms), once known. */
  deadlineMs(): number | undefined;
}

/** What an external job learns of the invoke that owns it. */
export interface JobOwner {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly signal: AbortSignal;
}

/**
 * How an external job that reported failure shows in logs: as the peer's own error when it
 * described it (type, message, stack lines), as `ExternalJobError` with its plain message when
 * not (an older peer, or the connection closed before its finish).
 */
export class ExternalJobError extends Error {
  constructor(message: string, described?: ErrorDescription) {
    super(described ? described.errorMessage : message);
    this.name = described ? described.errorType : 'ExternalJobError';
    // describeError reads the frames back from the lines after the first: that one must be one line.
    if (described) this.stack = [`${this.name}: ${this.message}`.replace(/\r?\n/g, ' '), ...described.stackTrace.map((frame) => `    ${frame}`)].join('\n');
  }
}

/**
 * Creates the handle; `place` puts its promise into an invoke's jobs (or keeps it for the next
 * invoke) and calls `bind` with the owning invoke once known, to forward the deadline abort.
 *
 * Nothing of a finished job stays reachable from its owner: its `abort` listener is removed and
 * its own listeners dropped at `finish`. The owner may live for ever — the request id `-` set of
 * the unheld modes never aborts — and each listener kept the peer's connection and socket alive
 * (measured with real Unix sockets: 3.65 KB per finished connection, 11 MB over 3,000).
 */
export function createExternalJob(place: (done: Promise<void>, bind: (owner: JobOwner) => void) => void): ExternalJob {
  let settle!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  let listeners: Array<() => void> = [];
  let owner: JobOwner | undefined;
  let finished = false;
  const aborted = (): void => listeners.splice(0).forEach((listener) => listener());
  place(done, (bound) => {
    owner = bound;
    if (!finished) bound.signal.addEventListener('abort', aborted, { once: true });
  });
  return {
    finish(outcome) {
      if (finished) return;
      finished = true;
      owner?.signal.removeEventListener('abort', aborted);
      listeners = [];
      settle(outcome.ok ? undefined : new ExternalJobError(outcome.message, outcome.error));
    },
    // A job claimed after its invoke's abort (a hold command that connects late) still hears it.
    onAbort(listener) {
      if (finished) return;
      if (owner?.signal.aborted) queueMicrotask(listener);
      else listeners.push(listener);
    },
    requestId: () => owner?.requestId,
    deadlineMs: () => owner?.deadlineMs,
  };
}
