import type { Job } from '../../shared/host-protocol.ts';
import type { JobOwner } from './external-job.ts';
import type { DetachedJobs } from './detached-jobs.ts';
import type { Invoke } from './invoke.ts';
import type { HeldKind } from './job-stats.ts';

interface Orphan {
  readonly job: Job;
  readonly name: string;
  readonly bind?: ((owner: JobOwner) => void) | undefined;
  readonly kind: HeldKind;
}

/** Jobs enqueued outside any invoke while no invoke is open (module init, between invokes): the next invoke takes them. */
export class OrphanJobs {
  readonly #jobs: Orphan[] = [];

  keep(orphan: Orphan): void {
    // Attach a handler now: an orphan promise that rejects must never be unhandled (RIC 4 dies).
    if (typeof orphan.job !== 'function') Promise.resolve(orphan.job).catch(() => undefined);
    this.#jobs.push(orphan);
  }

  /** Names, for the exit report. */
  names(): string[] {
    return this.#jobs.map((orphan) => `${orphan.name} (waiting for an invoke)`);
  }

  /** Hands every orphan to an invoke, or (a drain outside any invoke) to the unheld job set. */
  adoptInto(target: Invoke | DetachedJobs): void {
    if (this.#jobs.length === 0) return; // every invoke passes here: allocate nothing then
    for (const { job, name, bind, kind } of this.#jobs.splice(0)) {
      if ('enqueue' in target) {
        target.enqueue(job, name, kind);
        bind?.(target);
      } else {
        target.add(job, name);
        bind?.(target.jobs());
      }
    }
  }
}
