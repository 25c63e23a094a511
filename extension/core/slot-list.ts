/**
 * A small set kept in a reused array: removing clears a slot, adding fills the first free one.
 * For the few invokes alive at once (one, outside Managed Instances), added and removed once per
 * invoke: a `Map` or `Set` rehashes its table every few such cycles, and the new table, held by a
 * long-lived collection, survives into V8's old generation: sampled on nodejs24.x with 10 jobs per
 * invoke, 274 of the 958 bytes per invoke that outlived a scavenge (225 in all with this class and
 * the job cuts; bench/alloc-sampling.ts counting only objects not collected by a scavenge).
 */
export class SlotList<T> {
  readonly #slots: Array<T | undefined> = [];

  /** The first item `match(item, key)` accepts: a shared predicate and its key, not a closure per call (this runs several times per invoke). */
  find<K>(match: (item: T, key: K) => boolean, key?: K): T | undefined {
    for (let i = 0; i < this.#slots.length; i++) {
      const item = this.#slots[i];
      if (item !== undefined && match(item, key as K)) return item;
    }
    return undefined;
  }

  has(item: T): boolean {
    return this.#slots.includes(item);
  }

  add(item: T): void {
    if (this.has(item)) return;
    const free = this.#slots.indexOf(undefined);
    if (free === -1) this.#slots.push(item);
    else this.#slots[free] = item;
  }

  delete(item: T): void {
    const at = this.#slots.indexOf(item);
    if (at !== -1) this.#slots[at] = undefined;
  }

  /** The items, as a new array (callers may change the list while they iterate). */
  values(): T[] {
    return this.#slots.filter((item): item is T => item !== undefined);
  }
}
