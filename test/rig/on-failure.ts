// Attaches a sandbox's output and recorded calls to the report of a failing test.
import { onTestFailed } from 'vitest';
import type { Sandbox } from './types.ts';

/** Call inside a running test: if the test fails, prints what the sandbox printed during it. */
export function printSandboxOnFailure(sandbox: Sandbox, label = 'sandbox'): void {
  const mark = sandbox.logMark();
  const since = performance.now();
  onTestFailed(() => {
    const calls = sandbox
      .calls()
      .filter((c) => c.startedAt >= since || Number.isNaN(c.endedAt) || c.endedAt >= since)
      .map((c) => `${c.startedAt.toFixed(1)}..${c.endedAt.toFixed(1)} ${c.kind} ${c.method} ${c.path} ${String(c.status ?? '')}`);
    console.error(`--- ${label} output during the failed test ---\n${sandbox.logsSince(mark)}`);
    console.error(`--- ${label} Runtime API calls ---\n${calls.join('\n')}`);
  });
}
