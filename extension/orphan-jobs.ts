import type { Job } from '../client/host-interface.ts';
import type { InvokeState } from './invoke-state.ts';

interface Orphan {
  readonly job: Job;
  readonly name: string;
  readonly bind?: ((state: InvokeState) => void) | undefined;
  readonly internal?: boolean | undefined;
}

/** Jobs enqueued while no invoke is open (at init, between invokes): the next invoke takes them. */
export class OrphanJobs {
  readonly #jobs: Orphan[] = [];

  keep(orphan: Orphan): void {
    // Attach a handler now: an orphan promise that rejects must never be unhandled (RIC 4 dies).
    if (typeof orphan.job !== 'function') Promise.resolve(orphan.job).catch(() => undefined);
    this.#jobs.push(orphan);
  }

  adoptInto(state: InvokeState): void {
    if (this.#jobs.length === 0) return; // every invoke passes here: allocate nothing then
    for (const { job, name, bind, internal } of this.#jobs.splice(0)) {
      state.jobs.add(job, name, { internal: internal === true });
      bind?.(state);
    }
  }
}
