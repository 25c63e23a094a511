import type { InvokeState } from './invoke-state.ts';

export interface IdleDetectorOptions {
  readonly idleMs: number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Called when the invoke has been idle for `idleMs`: the handler counts as done. */
  readonly onIdle: (state: InvokeState) => void;
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

  /** Something happened on `state` (a job was enqueued or settled): restart the window. */
  touch(state: InvokeState): void {
    if (state.handlerDone) return;
    this.#cancel?.();
    this.#cancel = this.#options.setTimer(() => {
      if (!state.idle || state.handlerDone) return;
      state.handlerDone = true;
      this.#options.onIdle(state);
    }, this.#options.idleMs);
  }
}
