import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ExternalJob } from '../../extension/external-job.ts';
import { listenOnSocket } from '../../extension/socket/socket-server.ts';
import { prepareSocket } from '../../extension/socket/start-socket.ts';
import { recordingLogger } from './fakes.ts';
import { realTimer } from './socket-helpers.ts';

/** A tracker that records the async context each job is opened in. */
function contextRecordingTracker(storage: AsyncLocalStorage<string>) {
  const seen: Array<{ name: string; store: string | undefined }> = [];
  const job: ExternalJob = { finish: () => undefined, onAbort: () => undefined, requestId: () => undefined, deadlineMs: () => undefined };
  return { seen, openExternal: (name: string) => (seen.push({ name, store: storage.getStore() }), job) };
}

/** A child that opens one job over the socket and exits once it is answered. */
const CHILD = `
const socket = require('node:net').createConnection(process.env.AFTER_RESPONSE_SOCKET);
socket.on('data', () => socket.end());
socket.write(JSON.stringify({ v: 1, op: 'open', name: 'from-child' }) + '\\n');
`;

describe('prepareSocket', () => {
  it('binds the server outside the async context of the handler whose spawn started it (detach)', async () => {
    const storage = new AsyncLocalStorage<string>();
    const tracker = contextRecordingTracker(storage);
    const env: Record<string, string | undefined> = { PATH: process.env.PATH };
    const starter = prepareSocket({ tracker, logger: recordingLogger(), env, pid: 4_000_000 + process.pid, graceMs: 100, detach: (fn) => storage.exit(fn) });
    starter.startSoon();
    await new Promise((resolve) => setImmediate(resolve));
    const child = storage.run('invoke-1', () => spawn(process.execPath, ['-e', CHILD], { env, stdio: 'ignore' }));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(tracker.seen.map((s) => s.name)).toEqual(['socket connection (first request pending)', 'from-child']);
    expect(tracker.seen.map((s) => s.store)).toEqual([undefined, undefined]);
  });
  it('never loads node:child_process itself: it hooks ChildProcess.prototype when the function creates its first child (here of a subclass)', () => {
    // A fresh process (this one has child_process loaded): the bundled module, started, then a probe.
    const entry = `
      import { prepareSocket } from './start-socket.ts';
      const starter = prepareSocket({ tracker: { openExternal: () => { throw new Error('unused'); } }, logger: { log: () => undefined, enabled: () => false }, env: {}, pid: ${4_000_000 + process.pid}, graceMs: 100 });
      starter.startSoon();
      setTimeout(() => {
        const before = process.moduleLoadList.includes('NativeModule child_process');
        const { ChildProcess } = process.getBuiltinModule('node:child_process');
        const original = ChildProcess.prototype.spawn;
        new (class extends ChildProcess {})();
        process.stdout.write(JSON.stringify({ before, hooked: ChildProcess.prototype.spawn !== original }));
      }, 20);`;
    const resolveDir = fileURLToPath(new URL('../../extension/socket/', import.meta.url));
    const bundle = buildSync({ stdin: { contents: entry, resolveDir, loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent' });
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', bundle.outputFiles[0]?.text ?? ''], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: false, hooked: true });
  });
});

describe('listenOnSocket in a worker thread', () => {
  it('logs once and stays off when the umask cannot be set, instead of throwing into the caller', () => {
    const logger = recordingLogger();
    const created: unknown[] = [];
    const unsupported = Object.assign(new TypeError('process.umask() with arguments is not supported in workers'), { code: 'ERR_WORKER_UNSUPPORTED_OPERATION' });
    const server = listenOnSocket({
      path: '/nonexistent/after-response.sock', tracker: contextRecordingTracker(new AsyncLocalStorage()), claim: () => undefined,
      logger, graceMs: 100, setTimer: realTimer,
      system: {
        createServer: (listener) => (created.push(listener), createServer(listener)),
        rmSync: () => undefined, chmodSync: () => undefined,
        umask: () => { throw unsupported; },
      },
    });
    expect(server).toBeUndefined();
    expect(created).toEqual([]);
    expect(logger.records).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('cannot narrow the umask'), errorMessage: unsupported.message })]);
  });
});
