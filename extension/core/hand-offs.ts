import type { HandOffReason } from '../../shared/host-protocol.ts';

/** A job's hand-off (shared/host-protocol.ts): passes it on when it cannot finish in its invoke. */
export type HandOff = (reason: HandOffReason) => Promise<void>;

/** A hand-off due, with the job's name: taken by the invoke at the abort and when the grace ends. */
export interface DueHandOff {
  readonly name: string;
  readonly reason: HandOffReason;
  readonly run: HandOff;
}

/**
 * The hand-offs an invoke started (tasks passed on to their queue) and not yet settled, by the
 * job's name. A hand-off's rejection is the client's to log (it names the lost task); here it only
 * counts as settled. Made on an invoke's first deadline, so most invokes never make one.
 */
export class PendingHandOffs {
  readonly #pending = new Map<Promise<void>, string>();
  readonly #onSettled: () => void;

  /** `onSettled`: after each hand-off settles (the invoke may release when none is left). */
  constructor(onSettled: () => void) {
    this.#onSettled = onSettled;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Names of the hand-offs still pending (the ERROR when the bound expires). */
  names(): string[] {
    return [...this.#pending.values()];
  }

  /** Starts each due hand-off; one that throws synchronously settles like one that rejects. */
  start(due: readonly DueHandOff[]): void {
    for (const { name, reason, run } of due) {
      const handing = new Promise<void>((resolve) => resolve(run(reason))).catch(() => undefined);
      this.#pending.set(handing, name);
      void handing.then(() => {
        this.#pending.delete(handing);
        this.#onSettled();
      });
    }
  }
}
