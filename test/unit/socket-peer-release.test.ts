// Both runtime clients post the response and call `next` synchronously, inside the callback that
// resumed the handler. A socket peer (a forked child, a worker thread on a kept connection) that
// wrote its `open` before telling the handler "queued" is read by a later callback of the same
// poll phase: the invoke must not be released before it (lifecycle.ts runtimeNext).
import { describe, expect, it } from 'vitest';
import type { ExternalJob } from '../../extension/core/external-job.ts';
import { flush, runtimeInvoke, trackerSetup } from './fakes.ts';

describe("a socket peer's open read in the same turn as the runtime's next", () => {
  it('joins the invoke in progress and holds it (it joined the next invoke before)', async () => {
    const { tracker, deadline } = trackerSetup();
    await runtimeInvoke(tracker, 'r1', deadline, () => undefined);
    const held = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    let released = false;
    void held.then(() => (released = true));
    let job: ExternalJob | undefined;
    await new Promise<void>((resolve) => {
      // Two callbacks of one loop phase: the runtime's (response, then next), then the socket's.
      setImmediate(() => {
        tracker.responsePosted('r1', 'returned');
        tracker.runtimeNext();
      });
      setImmediate(() => {
        job = tracker.openExternal('worker-job');
        resolve();
      });
    });
    await flush(3);
    expect(job?.requestId()).toBe('r1');
    expect(released).toBe(false);
    job?.finish({ ok: true });
    await expect(held).resolves.toBe('settled');
  });
});
