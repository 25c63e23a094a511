import { describeError, type Logger } from '../../shared/log-line.ts';
import { ExtensionsApiError, InvalidEventError, type ExtensionEvent, type ExtensionsApi } from './extensions-api.ts';

/** How the loop ended; only `main` decides what to do about it. */
export type LoopOutcome =
  /** `next` answered 5xx: Lambda asks the extension to exit promptly. */
  | { readonly kind: 'exit-requested'; readonly status: number; readonly body: string }
  | { readonly kind: 'shutdown'; readonly reason: string }
  /**
   * `next` was refused (4xx: `attempts` counts the transient failures before it, plus one), or
   * failed transiently `attempts` times in a row. `error` is the last failure.
   */
  | { readonly kind: 'failed'; readonly error: unknown; readonly attempts: number };

/**
 * Wait before retry n of a failed `next` (index n - 1); one more consecutive failure gives up.
 * Immediate first: the usual fault is a kept-alive connection that died while the environment
 * was frozen, and the retry opens a fresh one. While `next` fails the invoke stays held and billed,
 * so the waits stay short: 310 ms in all, inside the default 500 ms deadline margin, so that even a
 * release that fails at the margin is retried (or reported) before Lambda's timeout kills the process.
 */
export const NEXT_RETRY_DELAYS_MS: readonly number[] = [0, 10, 50, 250];

export interface LoopDependencies {
  readonly api: Pick<ExtensionsApi, 'next'>;
  readonly id: string;
  readonly lifecycle: {
    hold(event: { requestId: string; deadlineMs: number }): Promise<unknown>;
    /** After a failed `next`: holds an invoke whose event may have been lost (core/lifecycle.ts); its request id, if any. */
    holdLostEvent?(options: { readonly windowMs: number }): Promise<string | undefined>;
  };
  readonly logger: Logger;
  /**
   * Called with what `hold` resolved to and the invoke's request id, after each hold and before the
   * `next` that releases it (memory/malloc-trim.ts). Must not throw.
   */
  readonly afterHold?: (outcome: unknown, requestId: string) => void;
  /** @default NEXT_RETRY_DELAYS_MS */
  readonly retryDelaysMs?: readonly number[];
  /** @default an unref'd setTimeout: a backoff, like the long-poll, must not keep the event loop alive. */
  readonly sleep?: (ms: number) => Promise<void>;
}

type Poll =
  | { readonly kind: 'event'; readonly event: ExtensionEvent }
  | { readonly kind: 'permanent'; readonly error: unknown }
  | { readonly kind: 'transient'; readonly error: unknown };

/**
 * `next` → hold the invoke until its jobs settle or its deadline nears → `next` again.
 * Lambda freezes the environment once the runtime and every extension have called `next`,
 * so calling it is the release. Returns instead of exiting: this process is the runtime's.
 * It must not stop on a fault it can outlive: while registered, Lambda waits for this `next`,
 * and a loop that ended silently makes every later invoke time out.
 */
export async function runExtensionLoop(deps: LoopDependencies): Promise<LoopOutcome> {
  const { api, id, logger } = deps;
  const delays = deps.retryDelaysMs ?? NEXT_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? unrefSleep;
  let failures = 0;
  for (;;) {
    let polled: Poll;
    try {
      // Awaited here, not in an async helper: one async frame and one object less per invoke (~460 B on nodejs24.x).
      polled = { kind: 'event', event: await api.next(id) };
    } catch (error) {
      polled = failedPoll(error);
    }
    if (polled.kind === 'permanent') return { kind: 'failed', error: polled.error, attempts: failures + 1 };
    if (polled.kind === 'transient') {
      failures++;
      const delay = delays[failures - 1];
      if (delay === undefined) return { kind: 'failed', error: polled.error, attempts: failures };
      logRetry(logger, polled.error, failures, delay);
      await holdLost(deps, failures <= 2 ? LOST_EVENT_WINDOW_MS : 0);
      await sleep(delay);
      continue;
    }
    failures = 0;
    const { event } = polled;
    if (event.kind === 'exit') return { kind: 'exit-requested', status: event.status, body: event.body };
    if (event.kind === 'shutdown') return { kind: 'shutdown', reason: event.reason };
    // A hold that fails must still end in `next`: otherwise this invoke, and the environment, hang.
    // Awaited here, as the poll is (~500 B per invoke less than an async helper on nodejs24.x).
    try {
      const reason = await deps.lifecycle.hold(event);
      deps.afterHold?.(reason, event.requestId);
      if (logger.enabled('DEBUG')) logger.log('DEBUG', 'released', { requestId: event.requestId, reason });
    } catch (error) {
      logger.log('ERROR', 'holding the invoke failed: releasing it now', { requestId: event.requestId, ...describeError(error) });
    }
  }
}

/** 4xx is Lambda refusing this extension (bad identifier, invalid state): asking again cannot help. */
function failedPoll(error: unknown): Poll {
  const refused = error instanceof ExtensionsApiError && error.status >= 400 && error.status < 500;
  return refused ? { kind: 'permanent', error } : { kind: 'transient', error };
}

function logRetry(logger: Logger, error: unknown, failures: number, retryInMs: number): void {
  const retry = { failures, retryInMs };
  if (error instanceof InvalidEventError) {
    // Lambda consumed that event: the retry is also the release of whatever invoke it was.
    logger.log('ERROR', 'next answered an unreadable event: polling again, which releases it', { ...retry, ...describeError(error), body: error.body.slice(0, 200) });
  } else {
    logger.log('WARN', 'next failed: polling again', { ...retry, ...describeError(error) });
  }
}

/**
 * How long, after a failed `next` while the runtime waits in its own, an invoke may take to start
 * before the loop polls again: the runtime's `next` resolves within a few ms of Lambda answering
 * both (under the rig's fault matrix, loaded 2 cores). Waited on the first two failures in a row
 * only (a reset release, then the retry's event lost, is the usual pair), so the retries still end
 * inside the default 500 ms deadline margin (310 + 2 × 50 ms); later failures hold an invoke
 * already started without waiting.
 */
export const LOST_EVENT_WINDOW_MS = 50;

/** The event of the invoke the runtime runs may have been consumed and lost: hold that invoke before polling again. */
async function holdLost({ lifecycle, logger }: LoopDependencies, windowMs: number): Promise<void> {
  try {
    const requestId = await lifecycle.holdLostEvent?.({ windowMs });
    if (requestId !== undefined) logger.log('WARN', "held an invoke whose INVOKE event the failed next may have consumed: released now, polling again", { requestId });
  } catch (error) {
    logger.log('ERROR', 'holding an invoke after a failed next failed: polling again', describeError(error));
  }
}

function unrefSleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
