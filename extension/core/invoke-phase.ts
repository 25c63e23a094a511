/**
 * An invoke's life as the extension sees it. Each step is one named transition of Invoke (invoke.ts):
 *
 *   running ──respond()──▶ responded ──finishHandler()──▶ done ──(jobs settled)──▶ flushing ──(flushers settled)──▶ released 'settled'
 *      │                       │                            │                        │
 *      └───────────────────────┴────(deadline − margin)─────┴────────────────────────┴──▶ aborting ──(settled | grace over)──▶ released 'deadline'
 *                                                                                                  │                                   ▲
 *                                                                      (hand-offs pending) ──▶ handing-off ──(hand-offs settled | deadline − safety)
 *
 * `deadline − margin` goes by the wall clock: a response, or a job, that comes at or after it
 * (before its timer ran) brings the abort first; at or after `deadline − margin + grace`, the
 * grace's end too (Invoke#checkClock, before each job): the release, and the job runs late; a
 * response (or the handler's end, or a job's settlement) at or after it ends a grace whose timer is
 * late (a blocked event loop). Aborting
 * with the handler still running, an idle invoke waits for the grace's end or the handler's return. `finishHandler()` from `running` implies `respond()`. `flushing` is skipped when no flusher is
 * registered; it happens once per invoke (work a flusher enqueues is held, not flushed again).
 * A deadline reached in `done` starts the flushers with the aborted signal, sharing the grace.
 * `handing-off`: jobs that could not finish here (tasks) are being passed on (sent to their
 * queue) — those that never started at the abort, those still running when the grace ends.
 * Nothing else changes the phase.
 */
export type Phase = 'running' | 'responded' | 'done' | 'flushing' | 'aborting' | 'handing-off' | 'released';
