import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../client/host-interface.ts';
import { createClient } from '../../client/index.ts';
import { createLocalHost } from '../../client/local-host.ts';
import { createSocketHost } from '../../client/socket-host.ts';
import { recordingLogger } from './fakes.ts';
import { startSocketRig } from './socket-helpers.ts';

let rig: Awaited<ReturnType<typeof startSocketRig>> | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('enqueueAfterResponse in a child process (over the socket)', () => {
  it('is used automatically when no extension is in the process but AFTER_RESPONSE_SOCKET is set', async () => {
    rig = await startSocketRig();
    const current = rig.invoke();
    const logger = recordingLogger();
    const client = createClient({ global: {}, logger, env: { AFTER_RESPONSE_SOCKET: rig.path } });
    let done = false;
    client.enqueueAfterResponse(sleep(60).then(() => (done = true)), { name: 'child-work' });
    await sleep(10);
    current.handlerDone();
    const release = await current.released;
    expect(release.reason).toBe('settled');
    expect(done).toBe(true);
    expect(logger.records.filter((r) => r.level === 'WARN')).toEqual([]);
  });

  it('starts a job function once it is held, with the request id and a signal the deadline aborts', async () => {
    rig = await startSocketRig({ marginMs: 100 });
    const current = rig.invoke(400);
    const host = createSocketHost({ path: rig.path, logger: recordingLogger(), fallback: () => createLocalHost({ logger: recordingLogger() }) });
    let context: JobContext | undefined;
    host.enqueue((ctx) => {
      context = ctx;
      return new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    }, { name: 'waits-for-abort' });
    await sleep(10);
    current.handlerDone();
    expect((await current.released).reason).toBe('deadline');
    await host.drain();
    expect(context?.requestId).toBe(current.requestId);
    expect(context?.signal.aborted).toBe(true);
    expect(context?.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('reports a job that throws as failed, so the extension logs it with the request id', async () => {
    rig = await startSocketRig();
    const current = rig.invoke();
    const logger = recordingLogger();
    const host = createSocketHost({ path: rig.path, logger, fallback: () => createLocalHost({ logger }) });
    host.enqueue(() => {
      throw new RangeError('bad frame');
    }, { name: 'transcode' });
    await host.drain();
    current.handlerDone();
    await current.released;
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', job: 'transcode', errorType: 'RangeError' }));
    expect(rig.logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', requestId: current.requestId, errorMessage: 'RangeError: bad frame' }));
  });

  it('runs jobs unheld, with one warning, when the socket cannot be reached', async () => {
    const logger = recordingLogger();
    const local = createLocalHost({ logger });
    const host = createSocketHost({ path: '/nonexistent/after-response.sock', logger, fallback: () => local });
    const ran: string[] = [];
    host.enqueue(() => void ran.push('first'), { name: 'a' });
    await host.drain();
    host.enqueue(() => void ran.push('second'), { name: 'b' });
    await host.drain();
    expect(ran).toEqual(['first', 'second']);
    expect(logger.records.filter((r) => r.level === 'WARN')).toEqual([expect.objectContaining({ message: expect.stringContaining('NOT held') })]);
  });
});
