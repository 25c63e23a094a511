import type { Logger } from '../../shared/log-line.ts';
import type { Invoke } from './invoke.ts';

export interface BestEffortOptions {
  readonly idleMs: number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
  readonly logger: Logger;
}

const UNOBSERVED = "the runtime's progress was never observed (its rapid-client.node was not loaded through process.dlopen, e.g. AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true): best-effort mode, jobs start when enqueued and the handler counts as done after AFTER_RESPONSE_FALLBACK_IDLE_MS without new jobs";

/**
 * Best-effort mode (the runtime's progress cannot be observed): says so once, and the handler
 * counts as done once its invoke has had no pending job and no new one for `idleMs`.
 */
export class BestEffort {
  readonly #options: BestEffortOptions;
  #cancel: (() => void) | undefined;
  #warned = false;

  constructor(options: BestEffortOptions) {
    this.#options = options;
  }

  /** An invoke arrived that the runtime was not seen to take: the first one is logged. */
  unobserved(invoke: Invoke): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#options.logger.log('WARN', UNOBSERVED, { requestId: invoke.requestId });
  }

  /** Something happened on `invoke` (it started, a job was enqueued or settled): restart the window. */
  touch(invoke: Invoke): void {
    if (invoke.phase === 'done' || invoke.phase === 'released') return;
    this.#cancel?.();
    this.#cancel = this.#options.setTimer(() => {
      if (invoke.idle) invoke.finishHandler();
    }, this.#options.idleMs);
  }
}
