// Registration is bounded: a register call that is never answered must not hold the runtime's
// first `next` (and the function's init) for ever.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ExtensionEvent } from '../../extension/extensions-api/extensions-api.ts';
import { createRawHttpTransport } from '../../extension/extensions-api/raw-http.ts';
import { register, REGISTER_TIMEOUT_MS } from '../../extension/extensions-api/registration.ts';
import { Lifecycle } from '../../extension/core/lifecycle.ts';
import { deferred, flush, manualTimers, recordingLogger } from './fakes.ts';
import { AlsContext } from '../../extension/runtime-hooks/als-context.ts';

/** An Extensions API whose register answers when the test says, and whose next yields the given events, then blocks. */
function scriptedApi(events: ExtensionEvent[] = []) {
  const answer = deferred();
  let id: string | undefined;
  const polls: string[] = [];
  const api = {
    register: async (_name: string, options: { readonly urgentUntil?: Promise<unknown> } = {}) => {
      registerOptions.push(options);
      await answer.promise;
      return id ?? 'ext-1';
    },
    next: async (given: string): Promise<ExtensionEvent> => {
      polls.push(given);
      return events.shift() ?? new Promise<ExtensionEvent>(() => {});
    },
  };
  const registerOptions: Array<{ readonly urgentUntil?: Promise<unknown> }> = [];
  return { api, answer: (withId = 'ext-1') => ((id = withId), answer.resolve()), fail: answer.reject, polls, registerOptions };
}

describe('register', () => {
  it('gives up on a register call never answered after REGISTER_TIMEOUT_MS: one ERROR, jobs unheld, the gate opens', async () => {
    const { api, polls } = scriptedApi();
    const { tracker, timers, logger } = startingLifecycle();
    let gateOpen = false;
    void register({ api, name: 'lambda-after-response', lifecycle: tracker, logger, setTimer: timers.setTimer }).then(() => (gateOpen = true));
    await flush();
    timers.advance(REGISTER_TIMEOUT_MS - 1);
    await flush();
    expect(gateOpen).toBe(false);
    timers.advance(1);
    await flush();
    expect(gateOpen).toBe(true);
    expect(tracker.mode).toEqual({ kind: 'unheld', reason: 'registration-failed' });
    expect(polls).toEqual([]);
    const errors = logger.records.filter((r) => r.level === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({ message: `registration with the Extensions API was not answered within ${REGISTER_TIMEOUT_MS} ms: jobs run unheld and may be frozen` })]);
  });

  it('answered after it gave up: polls next and releases each invoke at once, so Lambda never waits on it; jobs stay unheld', async () => {
    const { api, answer, polls } = scriptedApi([{ kind: 'invoke', requestId: 'r1', deadlineMs: 9e15 }, { kind: 'invoke', requestId: 'r2', deadlineMs: 9e15 }]);
    const { tracker, timers, logger } = startingLifecycle();
    const gate = register({ api, name: 'x', lifecycle: tracker, logger, setTimer: timers.setTimer });
    timers.advance(REGISTER_TIMEOUT_MS);
    await gate;
    answer('ext-late');
    await flush();
    expect(polls).toEqual(['ext-late', 'ext-late', 'ext-late']); // two events released at once, the third poll waits
    expect(tracker.mode).toEqual({ kind: 'unheld', reason: 'registration-failed' });
    expect(logger.records.filter((r) => r.level === 'WARN').map((r) => r.message)).toEqual(['registration was answered after the extension gave up on it: it polls next and releases every invoke at once, jobs stay unheld']);
  });

  it('answered in time: registered, holds, and the register call was told when it stops being urgent', async () => {
    const { api, answer, polls, registerOptions } = scriptedApi();
    const { tracker, timers, logger } = startingLifecycle();
    const gate = register({ api, name: 'x', lifecycle: tracker, logger, setTimer: timers.setTimer });
    answer();
    await gate;
    await flush();
    expect(tracker.mode).toEqual({ kind: 'held' });
    expect(polls).toEqual(['ext-1']);
    expect(registerOptions[0]?.urgentUntil).toBeInstanceOf(Promise);
    timers.advance(REGISTER_TIMEOUT_MS); // the timer was cancelled: nothing changes
    await flush();
    expect(logger.records.filter((r) => r.level === 'ERROR' || r.level === 'WARN')).toEqual([]);
  });

  it('refused: one ERROR naming the error, unheld, no loop', async () => {
    const { api, fail, polls } = scriptedApi();
    const { tracker, timers, logger } = startingLifecycle();
    const gate = register({ api, name: 'x', lifecycle: tracker, logger, setTimer: timers.setTimer });
    fail(Object.assign(new Error('register answered 403: too late'), { name: 'Extension.RegistrationClosed' }));
    await gate;
    expect(tracker.mode).toEqual({ kind: 'unheld', reason: 'registration-failed' });
    expect(polls).toEqual([]);
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([expect.objectContaining({ message: 'registration with the Extensions API failed: jobs run unheld and may be frozen', errorType: 'Extension.RegistrationClosed' })]);
  });
});

describe('raw HTTP: a request urgent until a promise settles', () => {
  it('keeps the event loop alive while urgent, and waits in the background after', async () => {
    const held: Socket[] = [];
    const server = createServer((socket) => void held.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const refs: string[] = [];
    const spied = (options: { host: string; port: number }): Socket => {
      const socket = connect(options);
      const [ref, unref] = [socket.ref.bind(socket), socket.unref.bind(socket)];
      socket.ref = () => (refs.push('ref'), ref());
      socket.unref = () => (refs.push('unref'), unref());
      return socket;
    };
    const send = createRawHttpTransport(spied, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    const urgent = deferred();
    void send({ method: 'POST', path: '/2020-01-01/extension/register', body: '{}', urgentUntil: urgent.promise }).catch(() => undefined);
    await flush();
    expect(refs).toEqual(['ref']);
    urgent.resolve();
    await flush();
    expect(refs).toEqual(['ref', 'unref']);
    for (const socket of held) socket.destroy();
    server.close();
  });
});

/** A lifecycle still `starting`, as main has it while registration is in flight. */
function startingLifecycle() {
  const timers = manualTimers();
  const logger = recordingLogger();
  const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate, concurrency: Infinity, marginMs: 500, graceMs: 0, fallbackIdleMs: 100, logger, clock: { wallNow: timers.now, monoNow: timers.now }, setTimer: timers.setTimer });
  tracker.observed();
  return { tracker, timers, logger };
}
