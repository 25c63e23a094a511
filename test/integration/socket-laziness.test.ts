// The extension's socket is bound lazily, on the function's first spawn (extension/socket/
// start-socket.ts): a Node child started before that bind, or racing it, must still have its job
// held. The earliest spawns a function can make: in its very first invoke, and at module init,
// before the runtime's first `next`. Each case runs in a fresh sandbox (its first invoke is the
// cold one).
import { describe, expect, it } from 'vitest';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';
import { extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

/**
 * The child's job held `result`'s invoke: it finished before the release, and that invoke's summary
 * counts it. `requestIds`: what the job's context may say (a job opened before any invoke started
 * is told `unknown`; it joins the next invoke all the same).
 */
function expectHeldBy(box: Sandbox, result: InvokeResult, { requestIds }: { readonly requestIds: ReadonlyArray<string | undefined> }): void {
  const mark = readMark(box, 'fork-done');
  expect(mark, "the worker's job finished before the release").toBeDefined();
  expect(requestIds).toContain(mark?.requestId);
  expect(mark?.workerPid).not.toBe(result.runtimePid);
  expect(toEpoch(result.extensionReleasedAt ?? NaN)).toBeGreaterThanOrEqual(mark?.at ?? NaN);
  const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
  expect(summary).toMatchObject({ outcome: 'settled', enqueued: 1, succeeded: 1 });
  expect(box.logs()).not.toContain('NOT held');
}

describe.each(PROFILES)('on %s, a Node child that enqueues over the socket, spawned as early as a function can', (profile) => {
  describe('in the very first invoke', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'socket-fork.handler', timeoutSeconds: 10 }));

    it("holds the cold invoke until the child's job is done", async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp', jobMs: 500 });
      expectHeldBy(box, result, { requestIds: [result.requestId] });
    });
  });

  describe('at module init, before the runtime asks for its first invoke', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'socket-fork-init.handler', timeoutSeconds: 10, env: { FORK_JOB_MS: '500' } }));

    it("holds the invoke its job joins until the job is done (work from init joins the next invoke)", async () => {
      const box = await sandbox();
      // The child tells the module "queued" before its client has written the job to the socket,
      // so the job joins the first invoke, or a later one if the child was slow to write it.
      const counts = (r: InvokeResult): boolean => extensionLogs(box.logs()).some((l) => l.message === 'after-response summary' && l.requestId === r.requestId);
      let result = await box.invoke({});
      for (let i = 0; i < 4 && !counts(result); i++) result = await box.invoke({});
      expectHeldBy(box, result, { requestIds: ['unknown', result.requestId] });
    });
  });
});
