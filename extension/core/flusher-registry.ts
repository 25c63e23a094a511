import type { Flusher } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';


/** A registered flusher (see `flushAfterResponse`). */
export interface FlusherEntry {
  readonly run: Flusher;
  readonly name: string;
}

/**
 * The registered flushers (flushAfterResponse). `list` is one object shared by every invoke and
 * the detached jobs — no closure or copy per invoke; its `entries` array is replaced on every
 * change, never mutated, so an invoke that started flushing keeps a consistent list.
 */
export class FlusherRegistry {
  readonly list: { entries: readonly FlusherEntry[] } = { entries: [] };
  readonly #logger: Logger;
  #warnedInInvoke = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * Adds `run` (already bound to its async context) under `name`; returns its unregister
   * function (idempotent). `inInvoke`: the request id when registered inside an invoke (warned once).
   */
  add(run: Flusher, name: string, inInvoke: string | undefined): () => void {
    if (inInvoke !== undefined && !this.#warnedInInvoke) {
      this.#warnedInInvoke = true;
      this.#logger.log('WARN', 'flushAfterResponse was called inside an invoke: the flusher runs after this and every later invoke, and each call adds one more; register once, at module top level', { requestId: inInvoke, flusher: name });
    }
    const entry: FlusherEntry = { run, name };
    const list = this.list;
    list.entries = [...list.entries, entry];
    return () => void (list.entries = list.entries.filter((other) => other !== entry));
  }
}
