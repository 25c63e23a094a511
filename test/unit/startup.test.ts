import { describe, expect, it } from 'vitest';
import { decideStartup } from '../../extension/startup.ts';

describe('decideStartup', () => {
  it('runs in the runtime process', () => {
    expect(decideStartup({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' }, 7)).toEqual({ kind: 'run', runtimeApi: '127.0.0.1:9001' });
  });

  it('stays silent in a child process that inherited NODE_OPTIONS and the marker', () => {
    expect(decideStartup({ AFTER_RESPONSE_EXTENSION_PID: '7', AWS_LAMBDA_RUNTIME_API: 'x' }, 8)).toEqual({ kind: 'skip', reason: 'child-process' });
  });

  it('runs again in the same process (the marker is its own)', () => {
    expect(decideStartup({ AFTER_RESPONSE_EXTENSION_PID: '7' }, 7)).toEqual({ kind: 'run', runtimeApi: undefined });
  });
});
