import type { HandOffReason } from '../../shared/host-protocol.ts';

/** A job's hand-off (shared/host-protocol.ts): passes it on when it cannot finish in its invoke. */
export type HandOff = (reason: HandOffReason) => Promise<void>;

/** A task's identity as its client passed it (HostJobOptions.task): `attempt` is the run's. */
export interface TaskIdentity {
  readonly taskId: string;
  readonly attempt: number;
}

/** Which task each hand-off passes on, for the hand-off lines only (a hand-off is one task's). */
const identities = new WeakMap<HandOff, TaskIdentity>();

/** Records the task a hand-off passes on (at enqueue); a malformed `task` is ignored: the lines then name the job only. */
export function nameHandOff(run: HandOff, task: unknown): void {
  const taskId: unknown = typeof task === 'object' && task !== null ? Reflect.get(task, 'taskId') : undefined;
  const attempt: unknown = typeof task === 'object' && task !== null ? Reflect.get(task, 'attempt') : undefined;
  if (typeof taskId === 'string' && typeof attempt === 'number') identities.set(run, { taskId, attempt });
}

/** `{ job, taskId, attempt }` for each entry whose hand-off names its task, for a log line. */
export function taskFields(entries: ReadonlyArray<{ readonly name: string; readonly run: HandOff }>): Array<{ job: string } & TaskIdentity> {
  return entries.flatMap(({ name, run }) => {
    const identity = identities.get(run);
    return identity ? [{ job: name, ...identity }] : [];
  });
}

/** A hand-off due, with the job's name: taken by the invoke at the abort and when the grace ends. */
export interface DueHandOff {
  readonly name: string;
  readonly reason: HandOffReason;
  readonly run: HandOff;
}

/**
 * The hand-offs an invoke started (tasks passed on to their queue) and not yet settled, by the
 * job's name. A hand-off's rejection is the client's to log (it names the lost task); here it only
 * counts as settled. Made on an invoke's first deadline, so most invokes never make one.
 */
export class PendingHandOffs {
  readonly #pending = new Map<Promise<void>, { readonly name: string; readonly run: HandOff }>();
  readonly #onSettled: () => void;

  /** `onSettled`: after each hand-off settles (the invoke may release when none is left). */
  constructor(onSettled: () => void) {
    this.#onSettled = onSettled;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Names of the hand-offs still pending (the ERROR when the bound expires). */
  names(): string[] {
    return [...this.#pending.values()].map(({ name }) => name);
  }

  /** The tasks among them: `{ job, taskId, attempt }`. */
  tasks(): Array<{ job: string } & TaskIdentity> {
    return taskFields([...this.#pending.values()]);
  }

  /** Starts each due hand-off; one that throws synchronously settles like one that rejects. */
  start(due: readonly DueHandOff[]): void {
    for (const { name, reason, run } of due) {
      const handing = new Promise<void>((resolve) => resolve(run(reason))).catch(() => undefined);
      this.#pending.set(handing, { name, run });
      void handing.then(() => {
        this.#pending.delete(handing);
        this.#onSettled();
      });
    }
  }
}

/**
 * The hand-offs of one job set (invoke-jobs.ts): those of its started jobs by job id until they
 * settle, and those due — a job dropped unstarted at the abort, or still running when the grace
 * ends — until the invoke takes them. Its maps are made on first use: most job sets have none.
 */
export class JobHandOffs {
  #started: Map<number, HandOff> | undefined;
  #due: DueHandOff[] | undefined;

  /** Job `id` started; `handOff`, if any, is its own. */
  started(id: number, handOff: HandOff | undefined): void {
    if (handOff) (this.#started ??= new Map()).set(id, handOff);
  }

  settled(id: number): void {
    this.#started?.delete(id);
  }

  /** A job dropped unstarted at the abort: its hand-off is due at once. */
  neverStarted(name: string, handOff: HandOff | undefined): void {
    if (handOff) (this.#due ??= []).push({ name, reason: 'never-started', run: handOff });
  }

  /** Job `id` is abandoned when the grace ends: its hand-off is due. */
  abandoned(id: number, name: string): void {
    const run = this.#started?.get(id);
    if (run) (this.#due ??= []).push({ name, reason: 'abandoned', run });
  }

  /** The hand-offs due since the last call. */
  takeDue(): DueHandOff[] {
    const due = this.#due ?? [];
    this.#due = undefined;
    return due;
  }

  /** The started jobs' hand-offs, each named by `label` (the shutdown's best effort). */
  unfinished(label: (id: number) => string): Array<{ readonly name: string; readonly run: HandOff }> {
    return [...(this.#started ?? [])].map(([id, run]) => ({ name: label(id), run }));
  }
}
