// `npm run invoke`'s invoke report: its `released:` line says when Lambda could freeze — once the
// runtime AND the extension have called `next` (docs/testing.md `releasedMs`, the test kit's).
import { describe, expect, it } from 'vitest';
import { describeInvoke } from '../demo/invoke-report.ts';
import { judgeInvoke } from '../demo/invoke-verdict.ts';
import type { InvokeResult } from '../rig/sandbox.ts';

const heading = { index: 1, of: 1, cold: false, layer: true };
const register = { kind: 'extension-register' as const, method: 'POST', path: '/2020-01-01/extension/register', startedAt: 0, endedAt: 1 };
const result = (over: Partial<InvokeResult>): InvokeResult => ({
  status: 200, body: '"ok"', json: () => undefined, requestId: 'r', startedAt: 0, returnedAt: 3000, durationMs: 3000, calls: [register], ...over,
});
const released = (over: Partial<InvokeResult>): string | undefined => {
  const invoke = result(over);
  return describeInvoke(invoke, heading, judgeInvoke(invoke, [])).find((line) => line.trimStart().startsWith('released:'));
};

describe('the released line', () => {
  it("names the runtime's next when the extension let go while the handler still ran (released at the deadline, the response after it)", () => {
    const line = released({ extensionReleasedAt: 2512, responsePostedAt: 2814, runtimeNextAt: 2815 });
    expect(line).toContain("2512.0 ms (the extension's next; the handler still ran: Lambda can freeze at the runtime's next, 2815.0 ms)");
  });

  it('is the extension\'s next when the response came first (the usual order)', () => {
    expect(released({ responsePostedAt: 100, runtimeNextAt: 101, extensionReleasedAt: 100.5 })).toContain('100.5 ms (the extension let the environment freeze)');
    expect(released({ responsePostedAt: 100, runtimeNextAt: 101, extensionReleasedAt: 400 })).toContain('400.0 ms (the extension let the environment freeze)');
  });
});
