import type { Flusher, JobContext } from '../../shared/host-protocol.ts';
import { describeError, type Logger } from '../../shared/log-line.ts';
import { settle } from '../../shared/settle.ts';

/** A registered flusher and its calls that have not settled yet (a hung exporter keeps one for ever). */
export interface FlusherEntry {
  readonly run: Flusher;
  readonly name: string;
  readonly unsettled: Set<UnsettledCall>;
}

interface UnsettledCall {
  readonly requestId: string;
  /** Named in a WARN already: a hung call is reported once, not at every later flush. */
  named: boolean;
}

export interface FlushRoundOptions {
  readonly logger: Logger;
  /** Runs a flusher's call in a context where work it enqueues is known to be a flusher's. */
  readonly insideFlusher: <T>(call: () => T) => T;
}

/**
 * Runs every flusher once with `context`, concurrently, and resolves when all have settled. A
 * failure is an ERROR naming the flusher. Nothing waits on a round except the job it runs in, so
 * a flusher that never settles cannot stop later rounds; it is named in a WARN when its round's
 * `signal` aborts (the deadline margin, where the context has one), or else when a later round
 * starts while it still runs; it is called again then (at least once per batch).
 */
export async function runFlushRound(flushers: Iterable<FlusherEntry>, context: JobContext, options: FlushRoundOptions): Promise<void> {
  const calls: Array<Promise<void>> = [];
  const mine: Array<[FlusherEntry, UnsettledCall]> = [];
  for (const entry of flushers) {
    nameHungCalls(entry, options.logger);
    const call: UnsettledCall = { requestId: context.requestId, named: false };
    mine.push([entry, call]);
    calls.push(callFlusher(entry, call, context, options));
  }
  const onAbort = (): void => {
    for (const [entry, call] of mine) if (entry.unsettled.has(call)) nameHung(entry, call, 'flusher still running at the deadline abort: it ends with the job it runs in, or is frozen', options.logger);
  };
  const { signal } = context;
  if (!signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(calls);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function callFlusher(entry: FlusherEntry, call: UnsettledCall, context: JobContext, options: FlushRoundOptions): Promise<void> {
  entry.unsettled.add(call);
  return new Promise((resolve) => {
    settle(() => options.insideFlusher(() => entry.run(context)), (outcome) => {
      entry.unsettled.delete(call);
      if (!outcome.ok) options.logger.log('ERROR', 'flusher failed', { requestId: context.requestId, flusher: entry.name, ...describeError(outcome.error) });
      else if (call.named) options.logger.log('INFO', 'flusher settled after it was reported as still running', { requestId: call.requestId, flusher: entry.name });
      resolve();
    });
  });
}

function nameHungCalls(entry: FlusherEntry, logger: Logger): void {
  for (const call of entry.unsettled) nameHung(entry, call, 'flusher has not settled since an earlier flush (hung?): it is called again for this one', logger);
}

function nameHung(entry: FlusherEntry, call: UnsettledCall, message: string, logger: Logger): void {
  if (call.named) return;
  call.named = true;
  logger.log('WARN', message, { requestId: call.requestId, flusher: entry.name });
}
