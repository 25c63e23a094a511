// After a failed `next`, the INVOKE event the loop waited for may have been consumed by Lambda and
// lost on the way back: the loop holds the invoke the runtime runs before polling again (an
// integration cell per feature in fault-matrix-next.test.ts; here the rules, on fakes).
import { describe, expect, it } from 'vitest';
import { runExtensionLoop } from '../../extension/extensions-api/extension-loop.ts';
import { ExtensionsApiError } from '../../extension/extensions-api/extensions-api.ts';
import { deferred, flush, recordingLogger, trackerSetup as setup } from './fakes.ts';

/** Asks for the lost event with a 50 ms window; `held` is null until it resolves, then the request id held (or undefined). */
function watchLostEvent(tracker: ReturnType<typeof setup>['tracker']): { readonly held: string | undefined | null } {
  const state: { held: string | undefined | null } = { held: null };
  void tracker.holdLostEvent({ windowMs: 50 }).then((id) => (state.held = id));
  return state;
}

describe('Lifecycle.holdLostEvent', () => {
  it('holds the invoke the runtime runs when the loop never claimed it, until its jobs settled; its event arriving later is released at once', async () => {
    const { tracker, deadline } = setup();
    const work = deferred();
    tracker.runtimeNext();
    tracker.invokeStarted('r2', deadline);
    tracker.enqueue(() => work.promise, 'w');
    tracker.responsePosted('r2', 'returned');
    const lost = watchLostEvent(tracker);
    await flush();
    expect(lost.held).toBeNull(); // still held: its job runs
    work.resolve();
    await flush();
    expect(lost.held).toBe('r2');
    let late = false;
    void tracker.hold({ requestId: 'r2', deadlineMs: deadline }).then(() => (late = true));
    await flush();
    expect(late).toBe(true);
  });

  it('waits up to the window for an invoke when the runtime waits in its next, and holds one that starts meanwhile', async () => {
    const { tracker, timers, deadline } = setup();
    tracker.runtimeNext();
    const lost = watchLostEvent(tracker);
    timers.advance(20);
    tracker.invokeStarted('r3', deadline);
    await flush();
    expect(lost.held).toBeNull(); // r3 is held: its handler has not returned
    tracker.responsePosted('r3', 'returned');
    await flush(6);
    expect(lost.held).toBe('r3');
  });

  it('resolves undefined after the window when no invoke starts, at once when the invoke was claimed, and never holds when nothing is held', async () => {
    const { tracker, timers, deadline } = setup();
    tracker.runtimeNext();
    const lost = watchLostEvent(tracker);
    timers.advance(49);
    await flush();
    expect(lost.held).toBeNull();
    timers.advance(1);
    await flush();
    expect(lost.held).toBeUndefined();

    tracker.invokeStarted('r4', deadline);
    void tracker.hold({ requestId: 'r4', deadlineMs: deadline });
    expect(await tracker.holdLostEvent({ windowMs: 50 })).toBeUndefined(); // the loop has its event

    const unheld = setup({}, 'unheld');
    unheld.tracker.invokeStarted('m1', unheld.deadline);
    expect(await unheld.tracker.holdLostEvent({ windowMs: 50 })).toBeUndefined();
  });
});

describe('the extension loop after a failed next', () => {
  it('holds a lost event before every retry, waiting the window only on the first two failures in a row, and names the invoke it held', async () => {
    const logger = recordingLogger();
    const windows: number[] = [];
    let calls = 0;
    const api = {
      next: (): Promise<never> => {
        calls++;
        return Promise.reject(calls === 5 ? new ExtensionsApiError(403, 'Extension.Refused', 'refused') : new Error('ECONNRESET'));
      },
    };
    const tracker = {
      hold: (): Promise<void> => Promise.resolve(),
      holdLostEvent: ({ windowMs }: { readonly windowMs: number }): Promise<string | undefined> => {
        windows.push(windowMs);
        return Promise.resolve(windows.length === 2 ? 'r9' : undefined);
      },
    };
    const outcome = await runExtensionLoop({ api, id: 'x', lifecycle: tracker, logger, sleep: () => Promise.resolve() });
    expect(outcome.kind).toBe('failed');
    expect(windows).toEqual([50, 50, 0, 0]);
    expect(logger.records.filter((r) => String(r.message).startsWith('held an invoke whose INVOKE event'))).toEqual([expect.objectContaining({ level: 'WARN', requestId: 'r9' })]);
  });
});
