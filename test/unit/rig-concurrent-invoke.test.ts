// The rig allows concurrent invokes only where RIE serves them (Managed Instances mode) and no
// freeze emulation would stop the environment between them.
import { describe, expect, it } from 'vitest';
import { concurrencyRefusal } from '../rig/concurrent-invoke.ts';
import type { SandboxOptions } from '../rig/types.ts';

const base: SandboxOptions = { profile: 'nodejs24.x', taskDir: '/tmp', handler: 'index.handler' };

describe('the rig concurrent invokes', () => {
  it('are allowed with freeze: false and AWS_LAMBDA_MAX_CONCURRENCY set', () => {
    expect(concurrencyRefusal({ ...base, freeze: false, env: { AWS_LAMBDA_MAX_CONCURRENCY: '4' } })).toBeUndefined();
  });

  it('are refused with freeze emulation on, explicitly or by default', () => {
    const env = { AWS_LAMBDA_MAX_CONCURRENCY: '4' };
    expect(concurrencyRefusal({ ...base, env })).toMatch(/freeze: false/);
    expect(concurrencyRefusal({ ...base, env, freeze: true })).toMatch(/freeze: false/);
  });

  it('are refused without AWS_LAMBDA_MAX_CONCURRENCY, where RIE crashes on a second invoke', () => {
    expect(concurrencyRefusal({ ...base, freeze: false })).toMatch(/AWS_LAMBDA_MAX_CONCURRENCY/);
    expect(concurrencyRefusal({ ...base, freeze: false, env: { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' } })).toMatch(
      /AWS_LAMBDA_MAX_CONCURRENCY/,
    );
  });
});
