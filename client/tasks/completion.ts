/**
 * Which tasks have completed, so a write-ahead task's copy is reported done without a second run.
 * In memory for this environment; a {@link CompletionStore} (DynamoDB, Powertools Idempotency's
 * persistence layer) covers the copies another environment receives.
 */
export interface CompletionStore {
  /** Whether the task with this id completed. A rejection counts as "not known": the task runs (at least once). */
  has(taskId: string): boolean | Promise<boolean>;
  /** Records the task's completion; a rejection is logged and otherwise ignored. */
  put(taskId: string): void | Promise<void>;
}

/** How many completed task ids the in-memory set keeps (oldest dropped first). */
export const MEMORY_COMPLETIONS = 10_000;

/** A bounded, insertion-ordered set of completed task ids. */
export class CompletedSet {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = MEMORY_COMPLETIONS) {
    this.#capacity = capacity;
  }

  has(taskId: string): boolean {
    return this.#ids.has(taskId);
  }

  add(taskId: string): void {
    this.#ids.delete(taskId);
    this.#ids.add(taskId);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next();
      if (!oldest.done) this.#ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#ids.size;
  }
}
