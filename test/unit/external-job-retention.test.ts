// Nothing of a finished external (socket) job stays reachable from the invoke or job set that owned
// it, in any mode: the request id `-` set of the unheld modes never aborts, so a listener left on
// its signal kept every finished connection alive.
import { getEventListeners } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { openFinishClose } from '../rig/socket-peer.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { createExternalJob, type JobOwner } from '../../extension/core/external-job.ts';
import { Lifecycle } from '../../extension/core/lifecycle.ts';
import { listenOnSocket } from '../../extension/socket/socket-server.ts';
import { flush, manualTimers, recordingLogger, runtimeInvoke, trackerSetup } from './fakes.ts';
import { realTimer } from './socket-helpers.ts';
import { AlsContext } from '../../extension/runtime-hooks/als-context.ts';

type Setting = 'registration-failed' | 'no-runtime-api' | 'loop stopped' | 'managed-instances';

function lifecycleIn(setting: Setting): Lifecycle {
  const timers = manualTimers();
  const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate, concurrency: Infinity, marginMs: 500, graceMs: 0, fallbackIdleMs: 100, logger: recordingLogger(), clock: { wallNow: timers.now, monoNow: timers.now }, setTimer: timers.setTimer });
  tracker.observed();
  if (setting === 'registration-failed' || setting === 'no-runtime-api' || setting === 'managed-instances') tracker.runUnheld(setting);
  else tracker.registered();
  if (setting === 'loop stopped') tracker.loopStopped();
  return tracker;
}

/** The signal a context-less job function gets: the one its external siblings listen to. */
async function contextlessSignal(tracker: Lifecycle): Promise<AbortSignal> {
  let signal: AbortSignal | undefined;
  tracker.enqueue(({ signal: given }: JobContext) => void (signal = given), 'peek');
  await flush();
  if (!signal) throw new Error('the peek job did not run');
  return signal;
}

describe('a finished external job leaves nothing on its owner', () => {
  it.each<Setting>(['registration-failed', 'no-runtime-api', 'loop stopped', 'managed-instances'])('%s: no abort listener remains on the `-` set for 1,000 finished socket jobs and first-line holds', async (setting) => {
    const tracker = lifecycleIn(setting);
    for (let i = 0; i < 500; i++) {
      const job = tracker.openExternal(`child-${i}`);
      job.onAbort(() => undefined);
      job.finish(i % 2 === 0 ? { ok: true } : { ok: false, message: 'failed' });
      tracker.openExternal('socket connection (first request pending)', { internal: true }).finish({ ok: true });
    }
    await flush();
    expect(getEventListeners(await contextlessSignal(tracker), 'abort')).toHaveLength(0);
    expect(tracker.unfinished()).toEqual([]);
  });

  it('held: a job opened between invokes and finished before any invoke adopts it listens to nothing', async () => {
    const { tracker, deadline } = trackerSetup();
    const early = tracker.openExternal('early');
    early.onAbort(() => undefined);
    early.finish({ ok: true });
    let signal: AbortSignal | undefined;
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(({ signal: given }: JobContext) => void (signal = given), 'peek');
      tracker.responsePosted('r1', 'returned');
    });
    await flush();
    expect(getEventListeners(signal as AbortSignal, 'abort')).toHaveLength(0);
  });

  it('an unfinished job still hears its owner abort, once; a finished one does not', () => {
    const controller = new AbortController();
    const owner: JobOwner = { requestId: 'r1', deadlineMs: 1, signal: controller.signal };
    const heard: string[] = [];
    const open = createExternalJob((done, bind) => (void done.catch(() => undefined), bind(owner)));
    const finished = createExternalJob((done, bind) => (void done.catch(() => undefined), bind(owner)));
    open.onAbort(() => heard.push('open'));
    finished.onAbort(() => heard.push('finished'));
    finished.finish({ ok: false, message: 'x' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.signal.dispatchEvent(new Event('abort'));
    expect(heard).toEqual(['open']);
  });
});

describe('real Unix sockets with nothing held (registration refused)', () => {
  it('lets every finished connection be collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const tracker = lifecycleIn('registration-failed');
    const path = join(mkdtempSync(join(tmpdir(), 'after-response-retention-')), 's.sock');
    const accepted: Array<WeakRef<Socket>> = [];
    const createTracked = (listener: (socket: Socket) => void) => createServer((socket) => (accepted.push(new WeakRef(socket)), listener(socket)));
    const server = tracker.detach(() => listenOnSocket({
      path, lifecycle: tracker, logger: recordingLogger('ERROR'), claim: () => undefined, graceMs: 50, setTimer: realTimer,
      system: { createServer: createTracked, rmSync, chmodSync, umask: (mask) => process.umask(mask) },
    }));
    if (!server) throw new Error('the socket did not start');
    await new Promise((resolve) => server.once('listening', resolve));
    for (let i = 0; i < 20; i++) await oneChild(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    server.close();
    expect(accepted).toHaveLength(20);
    expect(accepted.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});

/** What after-response-hold does over the socket: open, finish when told the id, close. */
const oneChild = (path: string): Promise<void> => openFinishClose(path);
