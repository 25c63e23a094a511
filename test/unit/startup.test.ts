import { describe, expect, it } from 'vitest';
import { decideStartup } from '../../extension/startup.ts';

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
