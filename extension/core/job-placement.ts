import type { Job } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { AsyncContext } from './async-context.ts';
import { LATE_AFTER_RETURN, lateHandlerRunning } from './deadline-texts.ts';
import type { DetachedJobs } from './detached-jobs.ts';
import type { JobOwner } from './external-job.ts';
import type { HandOff } from './hand-offs.ts';
import type { HoldPolicy } from './hold-policy.ts';
import { InvokeJobs } from './invoke-jobs.ts';
import type { Invoke } from './invoke.ts';
import type { HeldKind } from './job-stats.ts';
import type { OrphanJobs } from './orphan-jobs.ts';

/** What placing a job reads of the lifecycle. */
export interface PlacementSite {
  readonly context: AsyncContext<Invoke>;
  readonly orphans: OrphanJobs;
  readonly detached: DetachedJobs;
  readonly logger: Logger;
  /** AFTER_RESPONSE_DEADLINE_MARGIN_MS, for the late WARN's text. */
  readonly marginMs: number;
  /** The one invoke running now, where invokes run one at a time; none once released. */
  inProgress(): Invoke | undefined;
}

/** A job finished by someone else (socket peers): told its owner. */
export interface ExternalPlacement {
  readonly bind: (owner: JobOwner) => void;
}

/** How a job came: finished by someone else (`external`), or with a hand-off (a task's). */
export interface Placement {
  readonly external?: ExternalPlacement;
  readonly handOff?: HandOff | undefined;
}

/** A job without a hand-off (most): one shared placement, not an object per job. */
export const NO_PLACEMENT: Placement = Object.freeze({});

/**
 * Puts a job where it belongs: the invoke of the caller's async context; else (module init, a
 * socket peer, a timer set at init) the invoke in progress; else the detached set (unheld,
 * stopped) or the orphans, which join the next invoke. `policy`: the lifecycle's mode now, passed
 * in, not read through a function of the site: this runs per job, and each call is one more
 * function for V8 to compile in the per-job burst (bench/gc-trace.ts --compiles).
 */
export function placeJob(site: PlacementSite, policy: HoldPolicy, job: Job, name: string, kind: HeldKind, { external, handOff }: Placement = {}): void {
  const owner = site.context.current() ?? contextless(site, policy);
  if (owner === 'orphan') return site.orphans.keep({ job, name, bind: external?.bind, kind });
  if (owner instanceof InvokeJobs) {
    site.detached.add(job, name); // `owner` is its set
    return external?.bind(owner);
  }
  const placed = owner.enqueue(job, name, kind, handOff);
  external?.bind(owner);
  if (placed === 'late' && policy.holds) {
    // The handler itself enqueued it past the grace's end (handlerRunning), or in an invoke that started inside its margin with no grace left (leftAtStartMs: the fix is the timeout against the margin).
    const { handlerReturned, leftAtStartMs } = owner;
    const running = handlerReturned ? {} : { handlerRunning: true, ...(leftAtStartMs === undefined ? {} : { leftAtStartMs: Math.round(leftAtStartMs) }) };
    site.logger.log('WARN', handlerReturned ? LATE_AFTER_RETURN : lateHandlerRunning(leftAtStartMs, site.marginMs), { requestId: owner.requestId, job: name, ...running });
  }
  policy.touch(owner);
}

/**
 * A job enqueued by the caller now would be `late` with `handlerRunning` (the WARN above): its
 * invoke, by the caller's async context, holds nothing any more while its handler still runs (past
 * deadline − margin + grace, or started with no grace left). The test kit's `unheld` outcome, the
 * same notion as the WARN `npm run invoke` reads; only the kit calls it (the layer's bundle drops it).
 */
export function handlerOutlivedHold(context: AsyncContext<Invoke>, { holds }: { readonly holds: boolean }): boolean {
  const owner = context.current();
  return holds && owner !== undefined && !(owner instanceof InvokeJobs) && owner.closed && !owner.handlerReturned;
}

/** Work outside any invoke's async context. Concurrent invokes (unheld): none is "the current" one, so none is in progress. */
function contextless(site: PlacementSite, policy: HoldPolicy): Invoke | InvokeJobs | 'orphan' {
  return site.inProgress() ?? (policy.detachesContextless ? site.detached.jobs() : 'orphan');
}
