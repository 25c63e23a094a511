/**
 * What the extension needs only once something goes wrong or runs out of time: the description of
 * a thrown value (shared/describe-error.ts: a job or flusher that failed, a hook that threw, the
 * Extensions API failing) and the text of the `deadline near` WARN (deadline-texts.ts). The
 * layer builds this file on its own (lambda-after-response/faults.cjs) and requires it
 * synchronously at the first such moment (lazy-faults.ts), so the bundle compiled at every cold
 * start does not carry it. The decisions (the abort, the grace, the abandon, the release, the
 * retries) stay in the bundle: only their description is here. Nothing here holds state.
 */
import { describeError } from '../../shared/describe-error.ts';
import { deadlineNearMessage } from './deadline-texts.ts';

export { deadlineNearMessage, describeError };

/** The module's shape, for the loader main.ts gives lazy-faults.ts. */
export interface FaultParts {
  readonly describeError: typeof describeError;
  readonly deadlineNearMessage: typeof deadlineNearMessage;
}
