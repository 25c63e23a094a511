import type { ErrorDescription } from '../../shared/describe-error.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { deadlineNearMessage } from './deadline-texts.ts';

/** The `deadline near` WARN's text from the invoke's facts at the abort (deadline-texts.ts's `deadlineNearMessage`). */
export type DeadlineNearText = typeof deadlineNearMessage;

/** Describes a thrown value the way Lambda's error JSON does (`errorType`, `errorMessage`, `stackTrace`); never throws. */
export type Describe = (error: unknown) => ErrorDescription;

/**
 * The extension's logger: a {@link Logger} that also describes what was thrown, for the line that
 * reports it. The layer's loads the description's code at the first failure (lazy-faults.ts,
 * lambda-after-response/faults.cjs); the test kit's and the tests' describe with
 * shared/describe-error.ts directly.
 */
export interface FaultLogger extends Logger {
  readonly describe: Describe;
}

/** `logger`, describing with `describe`. */
export function withDescribe(logger: Logger, describe: Describe): FaultLogger {
  return { log: logger.log, enabled: logger.enabled, describe };
}
