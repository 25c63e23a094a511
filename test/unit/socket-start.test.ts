import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ExternalJob } from '../../extension/core/external-job.ts';
import { listenOnSocket } from '../../extension/socket/socket-server.ts';
import * as socketParts from '../../extension/socket/socket-parts.ts';
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
    prepareSocket({ lifecycle: tracker, logger: recordingLogger(), env, pid: 4_000_000 + process.pid, graceMs: 100, detach: (fn) => storage.exit(fn), loadParts: () => socketParts });
    await new Promise((resolve) => setImmediate(resolve));
    const child = storage.run('invoke-1', () => spawn(process.execPath, ['-e', CHILD], { env, stdio: 'ignore' }));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(tracker.seen.map((s) => s.name)).toEqual(['socket connection (first request pending)', 'from-child']);
    expect(tracker.seen.map((s) => s.store)).toEqual([undefined, undefined]);
  });
  it('loads the socket parts at the first child, not at init, and once', async () => {
    let loads = 0;
    const env: Record<string, string | undefined> = { PATH: process.env.PATH };
    const tracker = contextRecordingTracker(new AsyncLocalStorage());
    prepareSocket({ lifecycle: tracker, logger: recordingLogger(), env, pid: 4_100_000 + process.pid, graceMs: 100, loadParts: () => (loads++, socketParts) });
    expect(loads).toBe(0);
    for (const name of ['first', 'second']) {
      const child = spawn(process.execPath, ['-e', CHILD], { env, stdio: 'ignore' });
      expect(await new Promise((resolve) => child.once('exit', resolve)), name).toBe(0);
    }
    expect(loads).toBe(1);
    expect(tracker.seen.map((s) => s.name)).toContain('from-child');
  });
  it('when the socket parts cannot load: one ERROR, the socket path withdrawn from the environment children inherit, and the child runs', async () => {
    const logger = recordingLogger();
    const env: Record<string, string | undefined> = { PATH: process.env.PATH };
    prepareSocket({ lifecycle: contextRecordingTracker(new AsyncLocalStorage()), logger, env, pid: 4_200_000 + process.pid, graceMs: 100, loadParts: () => { throw new Error('Cannot find module ./socket.cjs'); } });
    const child = spawn(process.execPath, ['-e', 'process.exit(0)'], { env, stdio: 'ignore' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(logger.records.filter((r) => r.level === 'ERROR').map((r) => [r.message, r.errorMessage])).toEqual([['hooking spawn failed: after-response-hold runs its command unheld', 'Cannot find module ./socket.cjs']]);
    expect(env.AFTER_RESPONSE_SOCKET).toBeUndefined();
  });
  it('never loads node:child_process itself: it hooks ChildProcess.prototype when the function creates its first child (here of a subclass)', () => {
    // A fresh process (this one has child_process loaded): the bundled module, started, then a probe.
    const entry = `
      import { prepareSocket } from './start-socket.ts';
      import * as parts from './socket-parts.ts';
      prepareSocket({ lifecycle: { openExternal: () => { throw new Error('unused'); } }, logger: { log: () => undefined, enabled: () => false }, env: {}, pid: ${4_000_000 + process.pid}, graceMs: 100, loadParts: () => parts });
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

/** A worker thread that opens one job over the inherited socket and posts the reply. */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const socket = require('node:net').createConnection(process.env.AFTER_RESPONSE_SOCKET);
socket.on('data', (data) => { parentPort.postMessage(String(data)); socket.end(); });
socket.on('error', (error) => parentPort.postMessage('error ' + error.code));
socket.write(JSON.stringify({ v: 1, op: 'open', name: 'from-worker' }) + '\\n');
`;

describe("prepareSocket and the function's own worker threads", () => {
  it("binds the socket when the function creates its first worker thread (not before), so the worker's jobs can be opened", () => {
    // A fresh process, as at init: only prepareSocket.
    const entry = `
      import { existsSync } from 'node:fs';
      import { Worker } from 'node:worker_threads';
      import { prepareSocket } from './start-socket.ts';
      import * as parts from './socket-parts.ts';
      const opened = [];
      const job = { finish: () => undefined, onAbort: () => undefined, requestId: () => undefined, deadlineMs: () => undefined };
      const starter = prepareSocket({ lifecycle: { openExternal: (name) => (opened.push(name), job) }, logger: { log: () => undefined, enabled: () => false }, env: process.env, pid: ${5_000_000 + process.pid}, graceMs: 100, loadParts: () => parts });
      const boundAtInit = existsSync(starter.path);
      const worker = new Worker(${JSON.stringify(WORKER)}, { eval: true, execArgv: [] });
      worker.once('message', (reply) => {
        process.stdout.write(JSON.stringify({ boundAtInit, reply: JSON.parse(reply), opened }));
        process.exit(0);
      });`;
    const resolveDir = fileURLToPath(new URL('../../extension/socket/', import.meta.url));
    const bundle = buildSync({ stdin: { contents: entry, resolveDir, loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent' });
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', bundle.outputFiles[0]?.text ?? ''], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ boundAtInit: false, reply: expect.objectContaining({ v: 1, ok: true }), opened: expect.arrayContaining(['from-worker']) });
  });
});

describe('listenOnSocket in a worker thread', () => {
  it('logs once and stays off when the umask cannot be set, instead of throwing into the caller', () => {
    const logger = recordingLogger();
    const created: unknown[] = [];
    const unsupported = Object.assign(new TypeError('process.umask() with arguments is not supported in workers'), { code: 'ERR_WORKER_UNSUPPORTED_OPERATION' });
    const server = listenOnSocket({
      path: '/nonexistent/after-response.sock', lifecycle: contextRecordingTracker(new AsyncLocalStorage()), claim: () => undefined,
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
