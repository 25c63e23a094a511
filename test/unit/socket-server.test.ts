import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveConnection } from '../../extension/socket/connection.ts';
import { flush, recordingLogger, trackerSetup } from './fakes.ts';
import { connectPeer, startSocketRig } from './socket-helpers.ts';

type Rig = Awaited<ReturnType<typeof startSocketRig>>;
let rig: Rig | undefined;
const start = async (options?: Parameters<typeof startSocketRig>[0]) => (rig = await startSocketRig(options));
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the extension socket', () => {
  it('is a socket file only its owner may use (mode 0600)', async () => {
    const { path } = await start();
    const stat = statSync(path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('replaces a stale file left at its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'after-response-stale-'));
    writeFileSync(join(dir, 'extension.sock'), 'stale');
    rig = await startSocketRig({ dir });
    expect(statSync(rig.path).isSocket()).toBe(true);
  });

  it('holds the invoke for an opened job until the peer finishes it', async () => {
    const { path, invoke } = await start();
    const peer = await connectPeer(path);
    const current = invoke();
    const opened = await peer.request({ v: 1, op: 'open', name: 'transcode' });
    expect(opened).toMatchObject({ v: 1, ok: true, requestId: current.requestId });
    expect(opened.id).toEqual(expect.any(String));
    current.handlerDone();
    let released = false;
    void current.released.then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(released).toBe(false);
    const finishedAt = performance.now();
    expect(await peer.request({ v: 1, op: 'finish', id: opened.id, ok: true })).toEqual({ v: 1, ok: true });
    const release = await current.released;
    expect(release.reason).toBe('settled');
    expect(release.at).toBeGreaterThanOrEqual(finishedAt); // released by the finish (settled, long before the deadline), not before it
    peer.socket.destroy();
  });

  it('logs a job finished with ok false as failed, with its message and the request id', async () => {
    const { path, invoke, logger } = await start();
    const peer = await connectPeer(path);
    const current = invoke();
    const { id } = await peer.request({ v: 1, op: 'open', name: 'resize' });
    await peer.request({ v: 1, op: 'finish', id, ok: false, message: 'convert exited with status 3' });
    current.handlerDone();
    await current.released;
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', requestId: current.requestId, errorMessage: 'convert exited with status 3', job: expect.stringContaining('resize') }));
    peer.socket.destroy();
  });

  it('logs a described failure once, as the peer\'s own error type, message and stack, with the request id and job id', async () => {
    const { path, invoke, logger } = await start();
    const peer = await connectPeer(path);
    const current = invoke();
    const { id } = await peer.request({ v: 1, op: 'open', name: 'resize' });
    const error = { errorType: 'RangeError', errorMessage: 'bad frame\nat 3', stackTrace: ['at resize (/var/task/worker.js:7:11)', 'at main (/var/task/worker.js:2:1)'] };
    await peer.request({ v: 1, op: 'finish', id, ok: false, message: 'RangeError: bad frame', error });
    current.handlerDone();
    await current.released;
    const failed = logger.records.filter((r) => r.level === 'ERROR');
    expect(failed).toEqual([expect.objectContaining({ message: 'job failed', requestId: current.requestId, jobId: expect.any(Number), job: expect.stringContaining('resize'), ...error })]);
    peer.socket.destroy();
  });

  it('answers malformed lines, unknown ops, wrong versions and bad fields with errors naming the problem', async () => {
    const { path } = await start();
    const peer = await connectPeer(path);
    expect(await peer.request('{"v":1,"op":\n')).toMatchObject({ ok: false, error: 'bad-json' });
    expect(await peer.request('[1,2]\n')).toMatchObject({ ok: false, error: 'bad-request', message: expect.stringContaining('`request`') });
    expect(await peer.request({ v: 2, op: 'open', name: 'x' })).toMatchObject({ error: 'bad-version', message: 'Expected `v` to be 1, got `2` (number)' });
    expect(await peer.request({ op: 'open', name: 'x' })).toMatchObject({ error: 'bad-version', message: 'Expected `v` to be 1, got nothing' });
    expect(await peer.request({ v: 1, op: 'close' })).toMatchObject({ error: 'unknown-op', message: expect.stringContaining('"close"') });
    expect(await peer.request({ v: 1, op: 'open', name: '' })).toMatchObject({ error: 'bad-request', message: expect.stringContaining('`name`') });
    expect(await peer.request({ v: 1, op: 'finish', id: 'j1', ok: 'yes' })).toMatchObject({ error: 'bad-request', message: expect.stringContaining('`ok`') });
    expect(await peer.request({ v: 1, op: 'finish', id: 'j1', ok: false })).toMatchObject({ error: 'bad-request', message: expect.stringContaining('`message`') });
    expect(await peer.request({ v: 1, op: 'finish', id: 'nope', ok: true })).toMatchObject({ error: 'unknown-job', message: expect.stringContaining('"nope"') });
    expect(peer.isClosed()).toBe(false);
    peer.socket.destroy();
  });

  it('does not let a connection finish a job another connection opened', async () => {
    const { path, invoke } = await start();
    const [owner, other] = [await connectPeer(path), await connectPeer(path)];
    invoke();
    const { id } = await owner.request({ v: 1, op: 'open', name: 'mine' });
    expect(await other.request({ v: 1, op: 'finish', id, ok: true })).toMatchObject({ error: 'unknown-job' });
    owner.socket.destroy();
    other.socket.destroy();
  });

  it('fails the unfinished jobs of a connection that closes, and releases', async () => {
    const { path, invoke, logger } = await start();
    const peer = await connectPeer(path);
    const current = invoke();
    await peer.request({ v: 1, op: 'open', name: 'left-behind' });
    current.handlerDone();
    peer.socket.destroy();
    expect((await current.released).reason).toBe('settled');
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', errorMessage: 'connection closed before finish', job: expect.stringContaining('left-behind') }));
  });

  it('treats a half-closed connection like a closed one', async () => {
    const { path, invoke } = await start();
    const peer = await connectPeer(path);
    const current = invoke();
    await peer.request({ v: 1, op: 'open', name: 'half' });
    current.handlerDone();
    peer.socket.end();
    expect((await current.released).reason).toBe('settled');
    await peer.closed;
  });

  it('sends the abort event when the deadline margin is reached, and releases in time', async () => {
    const { path, invoke } = await start({ marginMs: 100 });
    const peer = await connectPeer(path);
    const current = invoke(400);
    const { id } = await peer.request({ v: 1, op: 'open', name: 'endless' });
    current.handlerDone();
    expect(await peer.next()).toEqual({ v: 1, event: 'abort', id, reason: 'deadline', graceMs: 50 });
    expect((await current.released).reason).toBe('deadline');
    expect(await peer.request({ v: 1, op: 'finish', id, ok: true })).toEqual({ v: 1, ok: true });
    peer.socket.destroy();
  });

  it('joins a job opened between invokes to the next invoke', async () => {
    const { path, invoke } = await start();
    const peer = await connectPeer(path);
    const { id, requestId } = await peer.request({ v: 1, op: 'open', name: 'early' });
    expect(requestId).toBeUndefined();
    const current = invoke();
    current.handlerDone();
    let released = false;
    void current.released.then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    await peer.request({ v: 1, op: 'finish', id, ok: true });
    expect((await current.released).reason).toBe('settled');
    peer.socket.destroy();
  });

  it('holds the invoke from the moment a peer connects until its first line', async () => {
    const { path, invoke } = await start();
    const current = invoke();
    const peer = await connectPeer(path);
    current.handlerDone();
    let released = false;
    void current.released.then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    const { id } = await peer.request({ v: 1, op: 'open', name: 'late-open' });
    await peer.request({ v: 1, op: 'finish', id, ok: true });
    expect((await current.released).reason).toBe('settled');
    peer.socket.destroy();
  });

  it('closes a connection whose line exceeds the bound, after saying why', async () => {
    const { path } = await start({ limits: { maxLineBytes: 1024 } });
    const peer = await connectPeer(path);
    peer.socket.write('x'.repeat(2000));
    expect(await peer.next()).toMatchObject({ ok: false, error: 'line-too-long', message: expect.stringContaining('1024 bytes') });
    await peer.closed;
  });

  it('closes a connection that sends a complete line past the bound, instead of reading it', async () => {
    const { path } = await start({ limits: { maxLineBytes: 1024 } });
    const peer = await connectPeer(path);
    const opened = await peer.request({ v: 1, op: 'open', name: 'fits' });
    expect(opened).toMatchObject({ ok: true });
    // A valid request padded past the bound, newline and all, in one write.
    const padded = JSON.stringify({ v: 1, op: 'open', name: 'too-long', pad: 'x'.repeat(2000) });
    expect(await peer.request(`${padded}\n`)).toMatchObject({ ok: false, error: 'line-too-long', message: expect.stringContaining('1024 bytes') });
    await peer.closed;
  });

  it('bounds unfinished jobs per connection and connections at once', async () => {
    const { path } = await start({ limits: { maxJobsPerConnection: 2 }, maxConnections: 2 });
    const peer = await connectPeer(path);
    await peer.request({ v: 1, op: 'open', name: 'a' });
    await peer.request({ v: 1, op: 'open', name: 'b' });
    expect(await peer.request({ v: 1, op: 'open', name: 'c' })).toMatchObject({ ok: false, error: 'too-many-jobs' });
    const second = await connectPeer(path);
    const third = await connectPeer(path);
    expect(await third.next()).toMatchObject({ ok: false, error: 'too-many-connections' });
    await third.closed;
    expect(await second.request({ v: 1, op: 'open', name: 'd' })).toMatchObject({ ok: true });
    peer.socket.destroy();
    second.socket.destroy();
  });

  it('hands the job reserved for a spawned after-response-hold to the connection presenting its ticket', async () => {
    const { path, invoke, reservations } = await start();
    const current = invoke();
    const ticket = reservations.reserve('sleep 1');
    current.handlerDone();
    const peer = await connectPeer(path);
    const { id } = await peer.request({ v: 1, op: 'open', name: 'ignored', ticket });
    expect(await peer.request({ v: 1, op: 'finish', id, ok: true })).toEqual({ v: 1, ok: true });
    expect((await current.released).reason).toBe('settled');
    peer.socket.destroy();
  });
});

describe('the first-line hold of a connection', () => {
  it('holds the invoke for 1 s at most when a peer connects and never writes (README: "for at most 1 s")', async () => {
    const { tracker, deadline, timers, logger } = trackerSetup();
    tracker.invokeStarted('r1', deadline);
    let released: string | undefined;
    void tracker.hold({ requestId: 'r1', deadlineMs: deadline }).then((reason) => (released = reason));
    // A socket that never sends a byte; the connection's timer runs on the test's clock.
    serveConnection(new Socket(), { lifecycle: tracker, claim: () => undefined, logger: recordingLogger(), nextId: () => 'j1', graceMs: 100, setTimer: timers.setTimer });
    tracker.responsePosted('r1', 'returned');
    tracker.runtimeNext();
    await flush();
    timers.advance(999);
    await flush();
    expect(released).toBeUndefined();
    timers.advance(1);
    await flush();
    expect(released).toBe('settled');
    // The internal hold is no job of the user's: no summary line counts it.
    expect(logger.records.filter((r) => r.message === 'after-response summary')).toEqual([]);
  });
});
