import type { Invoke } from './invoke.ts';

export interface IdleDetectorOptions {
  readonly idleMs: number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
}

/**
 * Best-effort mode only (the runtime's progress cannot be observed): the handler counts as
 * done once its invoke has had no pending job and no new one for `idleMs`.
 */
export class IdleDetector {
  readonly #options: IdleDetectorOptions;
  #cancel: (() => void) | undefined;

  constructor(options: IdleDetectorOptions) {
    this.#options = options;
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
