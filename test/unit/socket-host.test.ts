import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { createClient } from '../../client/client.ts';
import { createLocalHost } from '../../client/hosts/local-host.ts';
import { createSocketHost } from '../../client/hosts/socket-host.ts';
import { recordingLogger } from './fakes.ts';
import { eventually, scriptedExtension, startSocketRig } from './socket-helpers.ts';

let rig: Awaited<ReturnType<typeof startSocketRig>> | undefined;
let scripted: Awaited<ReturnType<typeof scriptedExtension>> | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  scripted?.close();
  scripted = undefined;
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('enqueueAfterResponse in a child process (over the socket)', () => {
  it('is used automatically when no extension is in the process but AFTER_RESPONSE_SOCKET is set', async () => {
    rig = await startSocketRig();
    const current = rig.invoke();
    const logger = recordingLogger();
    const client = createClient({ global: {}, logger, env: { AFTER_RESPONSE_SOCKET: rig.path } });
    let done = false;
    client.enqueueAfterResponse(sleep(200).then(() => (done = true)), { name: 'child-work' });
    const tracker = rig.tracker;
    await eventually(() => tracker.unfinished().find((entry) => entry.jobs.includes('child-work'))); // opened: held from now on
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
    await eventually(() => context); // started only once the extension answered the open
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
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([]); // the extension logs it, once
    const failed = rig.logger.records.filter((r) => r.level === 'ERROR');
    expect(failed).toEqual([expect.objectContaining({ message: 'job failed', requestId: current.requestId, jobId: expect.any(Number), errorType: 'RangeError', errorMessage: 'bad frame' })]);
    expect(failed[0]?.stackTrace).toEqual(expect.arrayContaining([expect.stringContaining('socket-host.test.ts')])); // the user's stack, not the extension's
  });

  it('logs a failed job itself when the extension refused it (it ran unheld, the extension never hears of it)', async () => {
    scripted = await scriptedExtension((_request, socket) => socket.write('{"v":1,"ok":false,"error":"too-many-jobs","message":"full"}\n'));
    const logger = recordingLogger();
    const host = createSocketHost({ path: scripted.path, logger, fallback: () => createLocalHost({ logger }) });
    host.enqueue(() => {
      throw new RangeError('bad frame');
    }, { name: 'transcode' });
    await host.drain();
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([expect.objectContaining({ message: 'job failed', job: 'transcode', errorType: 'RangeError', errorMessage: 'bad frame' })]);
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

  it('reports a job that fails silently when asked to, and a rejection with undefined as a failure', async () => {
    rig = await startSocketRig();
    const current = rig.invoke();
    const logger = recordingLogger();
    const host = createSocketHost({ path: rig.path, logger, fallback: () => createLocalHost({ logger }), reportFailures: 'silent' });
    host.enqueue(() => {
      throw new RangeError('bad frame');
    }, { name: 'transcode' });
    host.enqueue(Promise.reject(undefined), { name: 'rejects-with-nothing' });
    await host.drain();
    current.handlerDone();
    await current.released;
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([]);
    const failed = rig.logger.records.filter((r) => r.level === 'ERROR' && r.requestId === current.requestId);
    expect(failed.map((r) => [r.errorType, r.errorMessage]).sort()).toEqual([['RangeError', 'bad frame'], ['undefined', '']]);
  });

  it('tells onAbort the grace the abort event announces, before the job\'s signal aborts', async () => {
    rig = await startSocketRig({ marginMs: 100, graceMs: 80 });
    const current = rig.invoke(300);
    const events: Array<{ name: string; graceMs: number | undefined; aborted: boolean }> = [];
    let signal: AbortSignal | undefined;
    const onAbort = (event: { name: string; graceMs: number | undefined }) => void events.push({ ...event, aborted: signal?.aborted ?? true });
    const host = createSocketHost({ path: rig.path, logger: recordingLogger(), fallback: () => createLocalHost({ logger: recordingLogger() }), onAbort });
    host.enqueue((ctx) => new Promise((resolve) => ((signal = ctx.signal), ctx.signal.addEventListener('abort', resolve))), { name: 'graceful' });
    await eventually(() => signal);
    current.handlerDone();
    await host.drain();
    expect(events).toEqual([{ name: 'graceful', graceMs: 80, aborted: false }]);
    expect((await current.released).reason).toBe('deadline');
  });
});

describe('the socket host reading what the extension sends', () => {
  const contexts = new Map<string, JobContext>();
  const job = (name: string) => (ctx: JobContext) => void contexts.set(name, ctx);
  const opened = (id: string, requestId: string) => `${JSON.stringify({ v: 1, ok: true, id, requestId, deadlineMs: 1e13 })}\n`;
  afterEach(() => contexts.clear());

  it('answers the oldest waiting request with an unreadable line, as an error, so later replies reach their own requests', async () => {
    scripted = await scriptedExtension((request, socket, index) => {
      if (request.op !== 'open') return void socket.write('{"v":1,"ok":true}\n');
      socket.write(index === 0 ? 'not json at all\n' : opened('j2', 'req-of-second'));
    });
    const logger = recordingLogger();
    const host = createSocketHost({ path: scripted.path, logger, fallback: () => createLocalHost({ logger }) });
    host.enqueue(job('first'), { name: 'first' });
    host.enqueue(job('second'), { name: 'second' });
    expect((await eventually(() => contexts.get('second'))).requestId).toBe('req-of-second');
    expect((await eventually(() => contexts.get('first'))).requestId).toBe('unknown');
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'WARN', job: 'first', error: expect.stringContaining('unreadable reply "not json at all"') }));
    const requests = scripted.requests;
    expect(await eventually(() => requests.find((r) => r.op === 'finish'))).toEqual({ v: 1, op: 'finish', id: 'j2', ok: true });
  });

  it('does not take an event it does not know for a reply', async () => {
    scripted = await scriptedExtension((request, socket) => {
      if (request.op === 'open') socket.write(`{"v":1,"event":"progress","id":"j1"}\n${opened('j1', 'req-1')}`);
      else socket.write('{"v":1,"ok":true}\n');
    });
    const logger = recordingLogger();
    const host = createSocketHost({ path: scripted.path, logger, fallback: () => createLocalHost({ logger }) });
    host.enqueue(job('only'), { name: 'only' });
    expect((await eventually(() => contexts.get('only'))).requestId).toBe('req-1');
    await host.drain();
    expect(logger.records.filter((r) => r.level === 'WARN')).toEqual([]);
  });

  /** The job runs unheld (no invoke's context) and the WARN names the bound: the socket was given up. */
  async function expectGivenUpOnLongReply(name: string): Promise<void> {
    const logger = recordingLogger();
    const host = createSocketHost({ path: scripted!.path, logger, fallback: () => createLocalHost({ logger }) });
    host.enqueue(job(name), { name });
    expect((await eventually(() => contexts.get(name))).requestId).toBe('unknown');
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('unusable (a reply line longer than 65536 bytes)') }));
    await scripted!.connectionClosed();
    await host.drain();
  }

  it('gives up the connection when a reply line passes 64 KiB: jobs run unheld instead of memory growing', async () => {
    scripted = await scriptedExtension((_request, socket) => {
      const chunk = 'x'.repeat(8192);
      for (let i = 0; i < 10; i++) socket.write(chunk); // no newline, ever
    });
    await expectGivenUpOnLongReply('endless');
  });

  it('gives up the connection when a complete reply line passes 64 KiB, rather than reading it', async () => {
    scripted = await scriptedExtension((_request, socket) => {
      // A well-formed reply, padded past the bound, ended with its newline.
      socket.write(`${JSON.stringify({ v: 1, ok: true, id: 'j1', requestId: 'req-long', deadlineMs: 1e13, pad: 'x'.repeat(70_000) })}\n`);
    });
    await expectGivenUpOnLongReply('long-reply');
  });
});
