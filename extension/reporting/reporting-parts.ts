/**
 * What the extension reports only on a path most cold starts never take: tasks handed off at
 * SIGTERM (shutdown-hand-offs.ts) and the EMF metric lines (AFTER_RESPONSE_METRICS=emf,
 * emf-metrics.ts). The layer builds this file on its own (lambda-after-response/reporting.cjs);
 * the extension requires it synchronously at its first use (lazy-parts.ts), so the bundle
 * compiled at every cold start does not carry it. Nothing here holds state: what it needs of the
 * main bundle's (the tasks' identities) is passed in.
 */
import { createEmfWriter } from './emf-metrics.ts';
import { handOffAtShutdown } from './shutdown-hand-offs.ts';

export { createEmfWriter, handOffAtShutdown };

/** The module's shape, for the loaders main.ts gives the exit report and the lifecycle. */
export interface ReportingParts {
  readonly createEmfWriter: typeof createEmfWriter;
  readonly handOffAtShutdown: typeof handOffAtShutdown;
}
