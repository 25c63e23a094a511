import { describe, expect, it } from 'vitest';
import { attributionInEffect, decideStartup, isMainThread } from '../../extension/core/startup.ts';

const facts = { pid: 7, isMainThread: true, managedInstances: false };

describe('decideStartup', () => {
  it('runs in the runtime process', () => {
    expect(decideStartup({ ...facts, env: { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' } })).toEqual({ kind: 'run', runtimeApi: '127.0.0.1:9001', thread: 'main' });
  });

  it('stays silent in a child process that inherited NODE_OPTIONS and the marker', () => {
    expect(decideStartup({ ...facts, pid: 8, env: { AFTER_RESPONSE_EXTENSION_PID: '7', AWS_LAMBDA_RUNTIME_API: 'x' } })).toEqual({ kind: 'skip', reason: 'child-process' });
  });

  it('runs again in the same process (the marker is its own)', () => {
    expect(decideStartup({ ...facts, env: { AFTER_RESPONSE_EXTENSION_PID: '7' } })).toEqual({ kind: 'run', runtimeApi: undefined, thread: 'main' });
  });

  it("runs in RIC's worker threads on Managed Instances (they run the handlers), and stays silent in a user's worker elsewhere", () => {
    const env = { AFTER_RESPONSE_EXTENSION_PID: '7' };
    expect(decideStartup({ ...facts, env, isMainThread: false, managedInstances: true })).toMatchObject({ kind: 'run', thread: 'worker' });
    expect(decideStartup({ ...facts, env, isMainThread: false })).toEqual({ kind: 'skip', reason: 'worker-thread' });
  });
});

describe('attributionInEffect', () => {
  it('keeps `invoke` only with a Runtime API and invokes one at a time; `async-context` stays itself', () => {
    const onDemand = { managedInstances: false, runtimeApi: '127.0.0.1:9001' };
    expect(attributionInEffect('invoke', onDemand)).toBe('invoke');
    expect(attributionInEffect('invoke', { ...onDemand, managedInstances: true })).toBe('async-context');
    expect(attributionInEffect('invoke', { ...onDemand, runtimeApi: undefined })).toBe('async-context');
    for (const managedInstances of [false, true]) for (const runtimeApi of ['x', undefined]) expect(attributionInEffect('async-context', { managedInstances, runtimeApi })).toBe('async-context');
  });
});

describe('isMainThread', () => {
  it("reads Node's worker stub of process.chdir (flagged disabled), whatever else chdir is", () => {
    const stub = Object.assign(() => undefined, { disabled: true });
    expect(isMainThread({ chdir: stub })).toBe(false);
    expect(isMainThread({ chdir: process.chdir })).toBe(true);
    for (const chdir of [undefined, null, 42, { disabled: true }, Object.assign(() => undefined, { disabled: 'yes' })]) expect(isMainThread({ chdir })).toBe(true);
  });

  it('agrees with node:worker_threads in this process and in a worker thread', async () => {
    const { Worker, isMainThread: real } = await import('node:worker_threads');
    expect(isMainThread(process)).toBe(real);
    const seen = await new Promise<unknown>((resolve, reject) => {
      const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.postMessage(typeof process.chdir === "function" && process.chdir.disabled === true)', { eval: true, env: {} });
      worker.once('message', resolve).once('error', reject);
    });
    expect(seen).toBe(true);
  });
});
