import type { Invoke } from './invoke.ts';

/** What holding a lost event needs of the lifecycle. */
export interface LostEventSite {
  /** Whether anything holds invokes now (the mode's policy). */
  readonly holds: boolean;
  /** The one invoke running now, if any. */
  inProgress(): Invoke | undefined;
  /** Holds it as an INVOKE event would; resolves at its release. */
  hold(invoke: Invoke): Promise<unknown>;
}

/**
 * INVOKE events the extension loop may have lost. When the loop's `next` fails (the connection
 * reset, a garbled answer), Lambda may already have consumed the event it was waiting for: the
 * runtime got the same invoke and runs it, and the loop's retry would release it at once — its
 * jobs frozen mid-run, nothing naming them (seen under the rig's fault matrix: `next` answered,
 * then the answer lost or garbled). So after a failure the lifecycle holds the invoke the runtime
 * is running if the loop never claimed it; this class tells whether the runtime is between
 * invokes (then an invoke may be about to start: wait a short window for it) and remembers the
 * request ids held this way, so an event that was not consumed after all, and arrives on the
 * retry, is released at once instead of opening the same invoke a second time.
 */
export class LostEvents {
  readonly #setTimer: (run: () => void, ms: number) => () => void;
  #runtimeWaiting = false;
  #onStart: (() => void) | undefined;
  /** Request ids held after a failed `next`; a few suffice (one per failure in a row). */
  readonly #held: string[] = [];

  constructor(setTimer: (run: () => void, ms: number) => () => void) {
    this.#setTimer = setTimer;
  }

  /** The runtime called `next`: it waits for its next invoke. */
  runtimeWaiting(): void {
    this.#runtimeWaiting = true;
  }

  /** The runtime's `next` returned an invoke. */
  invokeStarted(): void {
    this.#runtimeWaiting = false;
    const started = this.#onStart;
    this.#onStart = undefined;
    started?.();
  }

  /** Resolves at once unless the runtime waits in its `next`; then when an invoke starts, or after `windowMs`. */
  #settle(windowMs: number): Promise<void> {
    if (!this.#runtimeWaiting || windowMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.#setTimer(() => {
        this.#onStart = undefined;
        resolve();
      }, windowMs);
      this.#onStart = () => {
        cancel();
        resolve();
      };
    });
  }

  /**
   * Holds the invoke the runtime runs (`inProgress`) if the loop never claimed it — waiting up to
   * `windowMs` for one to start if the runtime is between invokes — and resolves with its request
   * id once it is released (`hold`); `undefined` at once when there is none, or nothing `holds`.
   */
  async hold(windowMs: number, site: LostEventSite): Promise<string | undefined> {
    if (!site.holds) return undefined;
    await this.#settle(windowMs);
    const invoke = site.inProgress();
    if (!invoke || invoke.claimed) return undefined;
    await site.hold(invoke);
    this.#remember(invoke.requestId); // after: until now the loop does not poll
    return invoke.requestId;
  }

  #remember(requestId: string): void {
    this.#held.push(requestId);
    if (this.#held.length > 8) this.#held.shift();
  }

  /** True for an invoke held after a failed `next`: its event, arriving late, is already released. */
  wasHeld(requestId: string): boolean {
    return this.#held.includes(requestId);
  }
}
