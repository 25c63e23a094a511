import { describeError, type Logger } from '../../shared/log-line.ts';
import type { InvokeSummary } from '../core/invoke-options.ts';
import type { EmfOptions, createEmfWriter } from './emf-metrics.ts';

export interface LazyEmfOptions extends EmfOptions {
  /** Where the one ERROR goes when the EMF code does not load. */
  readonly logger: Logger;
  /**
   * Loads emf-metrics.ts's `createEmfWriter`, synchronously: the layer requires its separate build
   * (lambda-after-response/reporting.cjs), the test kit passes the function itself. May throw
   * (its message naming the file).
   */
  readonly load: () => typeof createEmfWriter;
}

/**
 * The lifecycle's `onSummary` when `AFTER_RESPONSE_METRICS=emf`: the EMF code is loaded at the first
 * summary (the first release of an invoke with jobs), not at init, so functions without metrics
 * never compile it. If it does not load: one ERROR naming the file, and no EMF line from then on
 * (the `after-response summary` lines still carry the counts). Never throws.
 */
export function lazyEmfWriter(options: LazyEmfOptions): (summary: InvokeSummary) => void {
  let writer: ((summary: InvokeSummary) => void) | undefined;
  let failed = false;
  return (summary) => {
    if (failed) return;
    try {
      writer ??= options.load()(options);
    } catch (error) {
      failed = true;
      options.logger.log('ERROR', 'AFTER_RESPONSE_METRICS is `emf`, but the code that writes the metric lines did not load: no EMF line is written (the `after-response summary` lines still carry the counts)', describeError(error));
      return;
    }
    writer(summary);
  };
}
