import { describeError, type Logger } from '../../shared/log-line.ts';
import { runExtensionLoop, type LoopOutcome } from './extension-loop.ts';
import type { ExtensionsApi } from './extensions-api.ts';
import type { Lifecycle } from '../core/lifecycle.ts';

/**
 * How long the register call may go unanswered before the extension gives up on it and runs
 * unheld. The runtime's first `next` waits for registration, so an answer that never comes would
 * hold init until Lambda's 10 s init timeout and fail the function. A register call is answered
 * within milliseconds (it overlaps the runtime's own start); the existing fault test accepts one
 * that takes 2 s. 3 s leaves 7 s of the init budget to the function's own init even when it has
 * none to overlap with, and is over the slowest answer the extension holds normally with.
 */
export const REGISTER_TIMEOUT_MS = 3000;

export interface RegistrationDeps {
  readonly api: Pick<ExtensionsApi, 'register' | 'next'>;
  readonly name: string;
  readonly lifecycle: Pick<Lifecycle, 'registered' | 'runUnheld' | 'loopStopped' | 'hold' | 'detach'>;
  readonly logger: Logger;
  /** Schedules an unref'd timer; returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Passed to the extension loop (extension-loop.ts): after each hold, before its release. */
  readonly afterHold?: (outcome: unknown, requestId: string) => void;
  /** @default REGISTER_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

type Outcome = { readonly kind: 'registered'; readonly id: string } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'timed-out' };

/**
 * Registers for INVOKE and starts the extension loop. Resolves (never rejects) once registration
 * succeeded, failed or went unanswered for `timeoutMs`: the runtime's first `next` waits for it.
 * Failing never fails the function's init: one ERROR, and jobs run unheld.
 */
export async function register(deps: RegistrationDeps): Promise<void> {
  const { api, name, lifecycle, logger } = deps;
  const timeoutMs = deps.timeoutMs ?? REGISTER_TIMEOUT_MS;
  let giveUp!: () => void;
  const gaveUp = new Promise<Outcome>((resolve) => (giveUp = () => resolve({ kind: 'timed-out' })));
  const cancel = deps.setTimer(giveUp, timeoutMs);
  // Past the timeout the request no longer keeps the event loop alive: RIC 3 answers callback handlers on an empty loop.
  const registering = lifecycle.detach(() => api.register(name, { urgentUntil: gaveUp }));
  const outcome = await Promise.race([registering.then((id): Outcome => ({ kind: 'registered', id }), (error: unknown): Outcome => ({ kind: 'failed', error })), gaveUp]);
  cancel();
  if (outcome.kind === 'registered') {
    lifecycle.registered();
    void runExtensionLoop({ api, id: outcome.id, lifecycle, logger, ...(deps.afterHold ? { afterHold: deps.afterHold } : {}) }).then((ended) => stopped(ended, lifecycle, logger));
    return;
  }
  if (outcome.kind === 'failed') {
    logger.log('ERROR', 'registration with the Extensions API failed: jobs run unheld and may be frozen', describeError(outcome.error));
  } else {
    logger.log('ERROR', `registration with the Extensions API was not answered within ${timeoutMs} ms: jobs run unheld and may be frozen`, { timeoutMs });
    registering.then((id) => pollWithoutHolding(deps, id), () => undefined);
  }
  lifecycle.runUnheld('registration-failed');
}

/**
 * The register call was answered after the extension gave up on it: Lambda now waits for this
 * extension's `next` at every invoke. It polls `next` and releases each invoke at once; jobs stay
 * unheld (the mode was chosen when it gave up).
 */
function pollWithoutHolding({ api, logger }: RegistrationDeps, id: string): void {
  logger.log('WARN', 'registration was answered after the extension gave up on it: it polls next and releases every invoke at once, jobs stay unheld');
  const lifecycle = { hold: (): Promise<void> => Promise.resolve() };
  void runExtensionLoop({ api, id, lifecycle, logger }).then((ended) => logger.log('WARN', `extension loop stopped (${ended.kind})`, loopFields(ended)));
}

function stopped(outcome: LoopOutcome, lifecycle: Pick<Lifecycle, 'loopStopped'>, logger: Logger): void {
  lifecycle.loopStopped();
  logger.log(outcome.kind === 'failed' ? 'ERROR' : 'WARN', `extension loop stopped (${outcome.kind}): jobs run unheld from now on`, loopFields(outcome));
}

function loopFields(outcome: LoopOutcome): Record<string, unknown> {
  return outcome.kind === 'failed' ? { ...describeError(outcome.error), attempts: outcome.attempts } : { ...outcome };
}
