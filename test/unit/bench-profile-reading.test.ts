// bench/profile-reading.ts: self time from a V8 CPU profile, by owner and by a native frame's caller.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { owner, selfTime, type CpuProfile } from '../../bench/profile-reading.ts';

const frame = (url: string, functionName: string): { url: string; functionName: string } => ({ url, functionName });
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('', '(root)'), children: [2, 4] },
    { id: 2, callFrame: frame('file:///opt/lambda-after-response/extension.mjs', 'wrapPost'), children: [3] },
    { id: 3, callFrame: frame('', '') },
    { id: 4, callFrame: frame('file:///var/runtime/index.mjs', 'next') },
  ],
  samples: [2, 3, 3, 4],
  timeDeltas: [0, 10, 20, 30], // a sample's interval is the next entry's delta; the last sample has none
};

describe('selfTime', () => {
  it("charges each sample the next delta, and a native frame to its JS caller when asked", () => {
    expect(selfTime(PROFILE, (n) => owner(n.callFrame))).toEqual(new Map([['extension', 10], ['(native)', 50], ['runtime client', 0]]));
    const natives = selfTime(PROFILE, (n, caller) => (n.callFrame.url === '' && n.callFrame.functionName === '' ? `under ${caller?.callFrame.functionName ?? '?'}` : 'js'));
    expect(natives.get('under wrapPost')).toBe(50);
  });

  it('sums to the profile’s time whatever the samples (each interval counted once)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(2, 3, 4), fc.nat(1000)), { maxLength: 50 }), (hits) => {
      const p: CpuProfile = { ...PROFILE, samples: hits.map(([id]) => id), timeDeltas: hits.map(([, d]) => d) };
      const total = [...selfTime(p, (n) => String(n.id)).values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(hits.slice(1).reduce((a, [, d]) => a + d, 0));
    }));
  });
});

describe('owner', () => {
  it('tells the extension from the client, the runtime client, Node, the handler and V8’s entries', () => {
    expect(owner(frame('file:///opt/lambda-after-response/extension.mjs', 'x'))).toBe('extension');
    expect(owner(frame('file:///opt/nodejs/node_modules/lambda-after-response/index.mjs', 'x'))).toBe('client');
    expect(owner(frame('file:///var/runtime/index.mjs', 'x'))).toBe('runtime client');
    expect(owner(frame('node:internal/timers', 'x'))).toBe('node');
    expect(owner(frame('file:///var/task/index.mjs', 'x'))).toBe('handler');
    expect(owner(frame('', '(idle)'))).toBe('((idle))');
    expect(owner(frame('', ''))).toBe('(native)');
  });
});
