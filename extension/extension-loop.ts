import type { Logger } from '../client/log-line.ts';
import type { ExtensionsApi } from './extensions-api.ts';
import type { InvokeTracker } from './invoke-tracker.ts';

/** How the loop ended; only `main` decides what to do about it. */
export type LoopOutcome =
  | { readonly kind: 'exit-requested'; readonly status: number; readonly body: string }
  | { readonly kind: 'shutdown'; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface LoopDependencies {
  readonly api: ExtensionsApi;
  readonly id: string;
  readonly tracker: Pick<InvokeTracker, 'hold'>;
  readonly logger: Logger;
}

/**
 * `next` → hold the invoke until its jobs settle or its deadline nears → `next` again.
 * Lambda freezes the environment once the runtime and every extension have called `next`,
 * so calling it is the release. Returns instead of exiting: this process is the runtime's.
 */
export async function runExtensionLoop({ api, id, tracker, logger }: LoopDependencies): Promise<LoopOutcome> {
  for (;;) {
    let event;
    try {
      event = await api.next(id);
    } catch (error) {
      return { kind: 'failed', error };
    }
    if (event.kind === 'exit') return { kind: 'exit-requested', status: event.status, body: event.body };
    if (event.kind === 'shutdown') return { kind: 'shutdown', reason: event.reason };
    const reason = await tracker.hold(event);
    if (logger.enabled('DEBUG')) logger.log('DEBUG', 'released', { requestId: event.requestId, reason });
  }
}
