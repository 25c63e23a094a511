import { describeUserError } from './async-stack.ts';
import { describeError, isThenable, type Flusher, type HandOffReason, type Job, type JobContext } from './layer-shared.ts';
import type { JobKind, JobRecord } from './types.ts';

/** How a job came to the recorder: with a hand-off (`task`); enqueued when nothing held it any more (`unheld`). */
interface RecordOptions {
  readonly task: boolean;
  readonly unheld?: boolean | undefined;
}

/** A task's hand-off as the host called it. */
interface HandOffSeen {
  readonly reason: HandOffReason;
  outcome: 'sending' | 'sent' | 'lost';
  error: unknown;
}

interface Entry {
  readonly name: string;
  readonly kind: JobKind;
  /** Enqueued by the handler after its invoke stopped holding (see {@link JobRecorder.job}). */
  readonly unheld: boolean;
  handOff: HandOffSeen | undefined;
  startedAt: number | undefined;
  settled: { readonly ok: true; readonly at: number } | { readonly ok: false; readonly at: number; readonly error: unknown } | undefined;
}

/**
 * Records what one invoke handed to the layer, at the host's door: each job is wrapped so its
 * start and its settling are seen, and handed on unchanged (same result, same rejection, same
 * synchronous throw) to the real lifecycle, which decides when it runs and what holds.
 */
export class JobRecorder {
  readonly #entries: Entry[] = [];
  readonly #now: () => number;
  #closedAt: number | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * A job function or promise, as the lifecycle will get it. `task`: it came with a hand-off.
   * `unheld`: the handler enqueued it after its invoke stopped holding (the layer runs it at once,
   * unheld, and WARNs with `handlerRunning: true`): recorded with the outcome `unheld`.
   */
  job(job: Job, name: string, options: RecordOptions): Job {
    if (typeof job !== 'function') return this.promise(job, name, options);
    return this.#wrap(job, name, options.task ? 'task' : 'job', options);
  }

  /** A task: a job with the hand-off the host calls when it cannot finish here; both recorded. */
  task(job: Job, name: string, handOff: (reason: HandOffReason) => Promise<void>, options: { readonly unheld?: boolean } = {}): { readonly job: Job; readonly handOff: (reason: HandOffReason) => Promise<void> } {
    const recorded = this.job(job, name, { task: true, unheld: options.unheld });
    const entry = this.#entries[this.#entries.length - 1];
    return {
      job: recorded,
      handOff: (reason) => {
        const passing = handOff(reason);
        if (entry && entry.handOff === undefined) {
          const seen: HandOffSeen = { reason, outcome: 'sending', error: undefined };
          entry.handOff = seen;
          void passing.then(() => void (seen.outcome = 'sent'), (error: unknown) => {
            seen.outcome = 'lost';
            seen.error = error;
          });
        }
        return passing;
      },
    };
  }

  /** A promise job (request contexts hand these over), returned as it is: it runs already. */
  promise(promise: PromiseLike<unknown>, name: string, options: RecordOptions): PromiseLike<unknown> {
    const entry = this.#add(name, options.task ? 'task' : 'promise', options);
    entry.startedAt = this.#now();
    this.#watch(entry, promise);
    return promise;
  }

  /** A flusher run: recorded by the recorder of the invoke in which it runs (`current`). */
  static flusher(flusher: Flusher, name: string, current: () => JobRecorder | undefined): Flusher {
    return (context) => {
      const recorder = current();
      return recorder ? recorder.#wrap(flusher, name, 'flusher', {})(context) : flusher(context);
    };
  }

  /** The records as of the release: what is still running is `abandoned`, what never started `never-started`, what nothing held `unheld`; later changes do not show. */
  close(): JobRecord[] {
    this.#closedAt ??= this.#now();
    const closedAt = this.#closedAt;
    return this.#entries.map((entry) => record(entry, closedAt));
  }

  #wrap(job: (context: JobContext) => unknown, name: string, kind: JobKind, options: Pick<RecordOptions, 'unheld'>): (context: JobContext) => unknown {
    const entry = this.#add(name, kind, options);
    return (context) => {
      entry.startedAt = this.#now();
      let result: unknown;
      try {
        result = job(context);
      } catch (error) {
        entry.settled = { ok: false, at: this.#now(), error };
        throw error;
      }
      if (isThenable(result)) this.#watch(entry, result);
      else entry.settled = { ok: true, at: this.#now() };
      return result;
    };
  }

  #add(name: string, kind: JobKind, { unheld }: Pick<RecordOptions, 'unheld'>): Entry {
    const entry: Entry = { name, kind, unheld: unheld === true, handOff: undefined, startedAt: undefined, settled: undefined };
    this.#entries.push(entry);
    return entry;
  }

  /** Observes a thenable's outcome; the observing chain handles a rejection (the lifecycle reports it). */
  #watch(entry: Entry, thenable: PromiseLike<unknown>): void {
    try {
      void thenable.then(() => void (entry.settled = { ok: true, at: this.#now() }), (error: unknown) => void (entry.settled = { ok: false, at: this.#now(), error }));
    } catch {
      // A thenable whose `then` throws: the lifecycle sees and reports the same failure.
    }
  }
}

function record(entry: Entry, closedAt: number): JobRecord {
  const handOff = entry.handOff && { reason: entry.handOff.reason, outcome: entry.handOff.outcome === 'sent' ? 'sent' as const : 'lost' as const, ...(entry.handOff.outcome === 'lost' ? { error: describeError(entry.handOff.error) } : {}) };
  const base = { name: entry.name, kind: entry.kind, ...(handOff ? { handOff } : {}) };
  const started = entry.startedAt;
  const settled = entry.settled;
  if (entry.unheld) return unheldRecord(base, started, settled, closedAt);
  if (started === undefined) return { ...base, outcome: 'never-started', durationMs: 0 };
  if (!settled) return { ...base, outcome: 'abandoned', durationMs: closedAt - started };
  const durationMs = settled.at - started;
  return settled.ok ? { ...base, outcome: 'succeeded', durationMs } : { ...base, outcome: 'failed', error: describeUserError(settled.error), durationMs };
}

/** A job nothing held: how long it ran by the release (0 if it had not started), and its error if it failed by then. */
function unheldRecord(base: Pick<JobRecord, 'name' | 'kind' | 'handOff'>, started: number | undefined, settled: Entry['settled'], closedAt: number): JobRecord {
  const durationMs = started === undefined ? 0 : (settled?.at ?? closedAt) - started;
  return { ...base, outcome: 'unheld', ...(settled && !settled.ok ? { error: describeUserError(settled.error) } : {}), durationMs };
}
