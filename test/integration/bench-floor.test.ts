// The benchmark's floor layer (bench/floor-layer.ts) must be a correct internal extension, or
// figure 1's "layer − floor" and "floor − no layer" rows compare against something that does
// less than any real one: it registers before the runtime's first `next`, calls `next` at every
// invoke, and a refused registration leaves the function working (unheld, no `next`).
import { describe, expect, it } from 'vitest';
import { invokeOk, withFunctions, type FunctionSpec } from '../../bench/sandboxes.ts';

const PROFILES = ['nodejs22.x', 'nodejs24.x'] as const;
const FLOOR: FunctionSpec = { handler: 'noop-floor.handler', layer: 'floor', timeoutSeconds: 5 };

describe.each(PROFILES)('the floor layer on %s', (profile) => {
  it('registers before the runtime\'s first `next` and calls `next` at every invoke', async () => {
    await withFunctions(profile, [FLOOR], async ([box]) => {
      if (!box) throw new Error('no sandbox');
      for (let i = 0; i < 3; i++) expect((await invokeOk(box, {})).json()).toEqual({ ok: true });
      const calls = box.calls();
      const register = calls.filter((c) => c.kind === 'extension-register');
      const firstNext = calls.find((c) => c.kind === 'runtime-next');
      expect(register.map((c) => c.status)).toEqual([200]);
      expect(register[0]?.endedAt).toBeLessThan(firstNext?.startedAt ?? Number.NaN);
      // One answered `next` per invoke (the INVOKE event), and the next one pending.
      expect(calls.filter((c) => c.kind === 'extension-next').map((c) => c.status ?? 'pending')).toEqual([200, 200, 200, 'pending']);
    });
  }, 60_000);

  it('a refused registration (403) leaves the function answering, unheld', async () => {
    const refused: FunctionSpec = { ...FLOOR, faults: [{ path: /\/extension\/register$/, action: { kind: 'status', status: 403, body: '{"errorType":"Extension.RegistrationClosed","errorMessage":"injected"}' } }] };
    await withFunctions(profile, [refused], async ([box]) => {
      if (!box) throw new Error('no sandbox');
      for (let i = 0; i < 2; i++) expect((await invokeOk(box, {})).json()).toEqual({ ok: true });
      expect(box.calls().filter((c) => c.kind.startsWith('extension-')).map((c) => `${c.kind} ${String(c.status)}`)).toEqual(['extension-register 403']);
    });
  }, 60_000);
});
