import type { DrainWaiters } from './drain-waiters.ts';
import type { InvokeRegistry } from './invoke-registry.ts';
import type { PlacementSite } from './job-placement.ts';

/**
 * `drainAfterResponse()`. Inside an invoke that has not responded: starts its queued jobs now (as
 * without the layer) and resolves when they have settled or been abandoned. Anywhere else:
 * resolves when every job known now has settled or been abandoned; jobs waiting for an invoke
 * start now, unheld.
 */
export function drain(site: PlacementSite, waiters: DrainWaiters, invokes: InvokeRegistry): Promise<void> {
  // A context-less caller during an invoke (a route of a server started at init) is that
  // invoke's: waiting for its queued jobs, which start only after the response, would deadlock.
  const own = site.context.current() ?? site.inProgress();
  if (own && own.phase !== 'released') {
    own.startEarly();
    return waiters.until(() => own.idle || own.phase === 'released');
  }
  const orphans = site.orphans.names();
  for (const name of orphans) site.logger.log('DEBUG', 'drain starts a job enqueued outside any invoke', { job: name });
  site.orphans.adoptInto(site.detached);
  return waiters.until(() => invokes.open().every((i) => i.idle) && !site.detached.busy);
}
