import type { ErrorDescription } from '../../shared/describe-error.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { FaultParts } from './fault-parts.ts';

export interface LazyFaultsOptions {
  /** Where the one ERROR goes when the code does not load. */
  readonly logger: Logger;
  /**
   * Loads fault-parts.ts, synchronously: the layer requires its separate build
   * (lambda-after-response/faults.cjs). May throw (its message naming the file).
   */
  readonly load: () => FaultParts;
}

type DeadlineFacts = Parameters<FaultParts['deadlineNearMessage']>[0];

/** What the layer says of a failure or a deadline, its code loaded at first use. */
export interface Faults {
  /** What was thrown, described as Lambda's error JSON (describe-error.ts), or plainly when the code did not load. */
  readonly describe: (error: unknown) => ErrorDescription;
  /** The `deadline near` WARN's text (deadline-texts.ts), or a plain one when the code did not load. */
  readonly deadlineNear: (facts: DeadlineFacts) => string;
}

/**
 * The layer's descriptions of failures and of the deadline, made at their first use (main.ts), not
 * at init: a class or a factory made at init measured +0.1 to +0.2 M instructions, what moving
 * the code out of the bundle saves (bench/init-micro.ts --instructions). The code is loaded then:
 * at the first failure described or the first invoke that reaches deadline − margin (most cold
 * starts reach neither). Loading costs 1.6 M instructions, 0.4 / 0.6 ms (nodejs22.x / nodejs24.x, in
 * the runtime: bench/lazy-file-load.ts), paid once: at the deadline, before the WARN
 * and the grace (the default 250 ms) that follows it. If it does not load: one ERROR naming the
 * file, then plain texts — every line still names its request id, its jobs and what was thrown
 * (its type and message, no stack). Never throws.
 */
export function lazyFaults({ logger, load }: LazyFaultsOptions): Faults {
  let parts: FaultParts | 'missing' | undefined;
  const loaded = (): FaultParts | undefined => {
    if (parts === undefined) {
      try {
        parts = load();
      } catch (error) {
        parts = 'missing';
        logger.log('ERROR', 'the code that describes failures and the deadline did not load: they are described plain (no stack trace, a short `deadline near` text); nothing else changes', plainDescription(error));
      }
    }
    return parts === 'missing' ? undefined : parts;
  };
  return {
    describe: (error) => loaded()?.describeError(error) ?? plainDescription(error),
    deadlineNear: (facts) => loaded()?.deadlineNearMessage(facts) ?? `deadline near: the jobs' signal is aborted; unfinished jobs get ${String(facts.leftMs)} ms to stop before the release.`,
  };
}

/** A thrown value's type and message without describe-error.ts: total, whatever the value. */
export function plainDescription(error: unknown): ErrorDescription {
  try {
    if (error instanceof Error) return { errorType: String(error.name), errorMessage: String(error.message), stackTrace: [] };
    return { errorType: error === null ? 'null' : typeof error, errorMessage: String(error), stackTrace: [] };
  } catch {
    return { errorType: 'unknown', errorMessage: '[a value that cannot be described]', stackTrace: [] };
  }
}
