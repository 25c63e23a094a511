import type { Invoke } from './invoke.ts';

/**
 * The handler is done, but input that arrived before that may not have been read: a socket
 * peer (a forked child, a worker thread on a kept connection) writes its `open`, then tells the
 * handler "queued", and the runtime posts the response and calls `next` inside the callback
 * that resumed the handler. Done at once, or one turn later, the invoke was released before
 * that `open` was read and the job joined the next invoke (measured under the rig, a pool worker
 * thread: every other invoke; on nodejs22.x the `open` came one loop iteration later). So the
 * invoke is done after two turns: a whole poll phase has run since, reading what was pending.
 */
export function doneAfterPendingInput(invoke: Invoke, defer: (run: () => void) => void): void {
  // Bound functions, not two arrows: this runs per invoke, and a bound function is no code of its own for V8 to compile.
  defer(defer.bind(undefined, invoke.finishHandler.bind(invoke)));
}
