/** Callers of `drainAfterResponse()` waiting for a condition; checked after every lifecycle transition. */
export class DrainWaiters {
  readonly #waiters: Array<{ readonly ready: () => boolean; readonly resolve: () => void }> = [];

  /** Resolves once `ready()` holds: at once, or at the first {@link wake} that finds it true. */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ ready, resolve }));
  }

  /** Something changed (a job settled, an invoke was released or abandoned): resolve who can go. */
  wake(): void {
    if (this.#waiters.length === 0) return;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i];
      if (waiter?.ready()) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
