/**
 * How the extension treats every invoke, chosen in one place (lifecycle.ts) through named
 * transitions, never implied by flags:
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
 *   jobs run detached, and the flushers run once after each batch of them (detached-flush.ts).
 * - `stopped`: the extension loop ended (see extension-loop.ts); from now on jobs run unheld.
 */
export type Mode =
  | { readonly kind: 'starting' }
  | { readonly kind: 'held' }
  | { readonly kind: 'best-effort' }
  | { readonly kind: 'unheld'; readonly reason: UnheldReason }
  | { readonly kind: 'stopped' };

export type UnheldReason = 'managed-instances' | 'no-runtime-api' | 'registration-failed';

/** True where an invoke's release is the extension loop's `next` (the environment may freeze after it). */
export function holds(mode: Mode): boolean {
  return mode.kind === 'held' || mode.kind === 'best-effort' || mode.kind === 'starting';
}
