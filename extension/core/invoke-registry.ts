import type { DetachedJobs } from './detached-jobs.ts';
import type { HandOff } from './hand-offs.ts';
import { Invoke, type InvokeOptions } from './invoke.ts';
import type { UnfinishedJobs } from './lifecycle-options.ts';
import type { OrphanJobs } from './orphan-jobs.ts';
import { SlotList } from './slot-list.ts';

/**
 * The invokes the lifecycle knows: by request id while open (or released but not yet claimed by
 * the loop), and those with unfinished jobs, held or not, released or not (what an exit names).
 */
export class InvokeRegistry {
  // Reused arrays, not a Map and a Set: see slot-list.ts (their rehashed tables were promoted).
  readonly #invokes = new SlotList<Invoke>();
  readonly #busy = new SlotList<Invoke>();
  readonly #options: InvokeOptions<Invoke>;
  #current: Invoke | undefined;

  constructor(options: InvokeOptions<Invoke>) {
    this.#options = options;
  }

  get(requestId: string): Invoke | undefined {
    return this.#invokes.find(hasRequestId, requestId);
  }

  /** The invoke of `requestId`, made on first sight (by the runtime's `next` or the loop's INVOKE, whichever comes first). */
  invokeFor(requestId: string, deadlineMs: number): Invoke {
    let invoke = this.get(requestId);
    if (invoke) return invoke;
    invoke = new Invoke(this.#options, requestId, deadlineMs);
    this.#invokes.add(invoke);
    return invoke;
  }

  /** The invoke the runtime took last (its `next` returned it, or a best-effort hold), released or not. */
  get current(): Invoke | undefined {
    return this.#current;
  }

  makeCurrent(invoke: Invoke): void {
    this.#current = invoke;
  }

  /** The one invoke running now, where invokes run one at a time (`oneAtATime`: not `unheld`); none once released. */
  inProgress({ oneAtATime }: { readonly oneAtATime: boolean }): Invoke | undefined {
    return oneAtATime && this.#current?.phase !== 'released' ? this.#current : undefined;
  }

  /** The open invokes, as a copy (callers finish them while iterating). */
  open(): Invoke[] {
    return this.#invokes.values();
  }

  /**
   * A fast handler can be done before the loop gets its INVOKE event: a released invoke is kept
   * until then, where a hold will claim it (`holds`), else forgotten at its release.
   */
  forgetIfDone(invoke: Invoke, options: { readonly holds: boolean }): void {
    if (invoke.phase === 'released' && (invoke.claimed || !options.holds)) this.#invokes.delete(invoke);
  }

  /** Tracks whether `invoke` has unfinished jobs, after any change. */
  changed(invoke: Invoke): void {
    if (invoke.busy) this.#busy.add(invoke);
    else this.#busy.delete(invoke);
  }

  /** Unheld (concurrent) invokes that never responded would stay for ever: past their deadline, the platform has ended them. */
  finishPastDeadline(now: number): void {
    for (const invoke of this.open()) if (invoke.deadlineMs < now) invoke.finishHandler();
  }

  /** Every open or busy invoke, each once. */
  known(): Set<Invoke> {
    return new Set([...this.#invokes.values(), ...this.#busy.values()]);
  }
}

function hasRequestId(invoke: Invoke, requestId: string): boolean {
  return invoke.requestId === requestId;
}

/** Every unfinished job by invoke, for the exit report: open and busy invokes, detached jobs, orphans. */
export function unfinishedJobs(invokes: InvokeRegistry, detached: DetachedJobs, orphans: OrphanJobs): UnfinishedJobs[] {
  const found: UnfinishedJobs[] = [...invokes.known()].map((invoke) => ({ requestId: invoke.requestId, jobs: invoke.unfinished() }));
  const other = detached.unfinished();
  if (other) found.push(other);
  const names = orphans.names();
  if (names.length > 0) found.push({ requestId: '-', jobs: names });
  return found.filter((entry) => entry.jobs.length > 0);
}

/** An unfinished job that can be passed on (a task), by invoke. */
export interface UnfinishedHandOff {
  readonly requestId: string;
  readonly name: string;
  readonly run: HandOff;
}

/** Hand-offs of every unfinished job that has one, in open and busy invokes: what SIGTERM passes on. */
export function unfinishedHandOffs(invokes: InvokeRegistry): UnfinishedHandOff[] {
  return [...invokes.known()].flatMap((invoke) => invoke.unfinishedHandOffs().map((entry) => ({ requestId: invoke.requestId, ...entry })));
}
