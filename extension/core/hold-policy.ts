import type { Invoke } from './invoke.ts';

/**
 * How the extension treats every invoke: a policy object the lifecycle (lifecycle.ts) asks
 * instead of "which mode?", swapped only through the named transitions below:
 *
 * - `starting`: registration is in flight. The runtime's first `next` waits for it, so no invoke
 *   runs yet; jobs enqueued now (module init) join the first invoke.
 * - `held`: registered, and the runtime's own calls are observed: each invoke is released when
 *   the handler is done and its jobs settled, or at the deadline.
 * - `best-effort`: registered, but the runtime's progress cannot be observed (RIC's HTTP client):
 *   jobs start at once; the handler counts as done after an idle window.
 * - `unheld`: nothing holds the environment — Managed Instances (never frozen; Lambda refuses
 *   INVOKE registration there), no Runtime API, or registration failed. Jobs run after their
 *   invoke's response and are reported the same way. With no Runtime API no invoke ever starts:
 *   jobs run detached, and the flushers follow each batch of them (detached-jobs.ts).
 * - `stopped`: the extension loop ended (see extension-loop.ts); from now on jobs run unheld.
 */
export type Mode =
  | { readonly kind: 'starting' }
  | { readonly kind: 'held' }
  | { readonly kind: 'best-effort' }
  | { readonly kind: 'unheld'; readonly reason: UnheldReason }
  | { readonly kind: 'stopped' };

export type UnheldReason = 'managed-instances' | 'no-runtime-api' | 'registration-failed';

/** What the lifecycle asks the mode (one object per mode; see {@link Mode}). */
export interface HoldPolicy {
  readonly mode: Mode;
  /** An invoke's release is the extension loop's `next`: the environment may freeze after it. */
  readonly holds: boolean;
  /** Invokes run one at a time: the runtime's `next` ends the current one's handler, and context-less work belongs to the one in progress. */
  readonly oneAtATime: boolean;
  /** Nothing holds: a posted response means the handler is done. */
  readonly finishesOnResponse: boolean;
  /** Context-less work with no invoke in progress runs detached now (else it waits for the next invoke). */
  readonly detachesContextless: boolean;
  /** No invoke ever starts (no Runtime API): detached jobs get the flushers after each batch. */
  readonly flushesDetached: boolean;
  /** Something happened on `invoke`: best effort restarts its idle window; the others ignore it. */
  touch(invoke: Invoke): void;
  /** Registration succeeded. */
  registered(): HoldPolicy;
  /** Nothing will hold (Managed Instances, no Runtime API, registration failed). */
  runUnheld(reason: UnheldReason): HoldPolicy;
  /** An invoke arrived that the runtime was not seen to take. */
  unobserved(): HoldPolicy;
  /** The extension loop ended. */
  loopStopped(): HoldPolicy;
}

/** What best effort needs: an idle window per invoke (best-effort.ts). */
export interface IdleWindow {
  touch(invoke: Invoke): void;
}

type Traits = Pick<HoldPolicy, 'holds' | 'oneAtATime' | 'finishesOnResponse' | 'detachesContextless'>;
const HOLDING: Traits = { holds: true, oneAtATime: true, finishesOnResponse: false, detachesContextless: false };
const TRAITS: Readonly<Record<Mode['kind'], Traits>> = {
  starting: HOLDING,
  held: HOLDING,
  'best-effort': HOLDING,
  unheld: { holds: false, oneAtATime: false, finishesOnResponse: true, detachesContextless: true },
  stopped: { holds: false, oneAtATime: true, finishesOnResponse: true, detachesContextless: true },
};

/** Whether `mode` holds invokes (its policy's `holds`), for the test kit, which sees the mode only. */
export function modeHolds(mode: Mode): boolean {
  return TRAITS[mode.kind].holds;
}

class ModePolicy implements HoldPolicy {
  readonly holds: boolean;
  readonly oneAtATime: boolean;
  readonly finishesOnResponse: boolean;
  readonly detachesContextless: boolean;
  readonly flushesDetached: boolean;

  constructor(readonly mode: Mode, private readonly idle: IdleWindow) {
    ({ holds: this.holds, oneAtATime: this.oneAtATime, finishesOnResponse: this.finishesOnResponse, detachesContextless: this.detachesContextless } = TRAITS[mode.kind]);
    this.flushesDetached = mode.kind === 'unheld' && mode.reason === 'no-runtime-api';
  }

  touch(invoke: Invoke): void {
    if (this.mode.kind === 'best-effort') this.idle.touch(invoke);
  }

  registered(): HoldPolicy {
    return this.mode.kind === 'starting' ? new ModePolicy({ kind: 'held' }, this.idle) : this;
  }

  runUnheld(reason: UnheldReason): HoldPolicy {
    return this.mode.kind === 'starting' ? new ModePolicy({ kind: 'unheld', reason }, this.idle) : this;
  }

  unobserved(): HoldPolicy {
    return this.holds && this.mode.kind !== 'best-effort' ? new ModePolicy({ kind: 'best-effort' }, this.idle) : this;
  }

  loopStopped(): HoldPolicy {
    return new ModePolicy({ kind: 'stopped' }, this.idle);
  }
}

/** The policy every lifecycle starts in (`starting`); best effort restarts `idle`'s window. */
export function startingPolicy(idle: IdleWindow): HoldPolicy {
  return new ModePolicy({ kind: 'starting' }, idle);
}
