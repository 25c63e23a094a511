// Jobs the handler itself enqueues after its invoke stopped holding (past deadline − margin + grace,
// or in an invoke that started with no grace left) are in the kit's `jobs` as `unheld`, the same
// notion as the layer's `job enqueued after its invoke was released` WARN with `handlerRunning:
// true`, which `npm run invoke` fails as "not held". Before, the kit left them out: `jobs: []`,
// `frozen: []`, and a test passed that the emulator failed. Defaults: margin 500 ms, grace 250 ms.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { enqueueAfterResponse } from '../../client/index.ts';
import { invokeHandler, type InvokeResult, type LambdaContext } from '../../extension/testing/index.ts';

/** Below margin − grace: the invoke starts with no grace left, so nothing it enqueues is held. */
const NO_GRACE_TIMEOUT_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const unheldWarns = (result: InvokeResult): unknown[] => result.logs.filter((line) => line.level === 'WARN' && line.handlerRunning === true && String(line.message).startsWith('job enqueued after its invoke was released')).map((line) => line.job);

describe('invokeHandler: jobs nothing held', () => {
  test('an invoke with no grace left: its job is `unheld`, not missing, though it finished at once and froze nothing', async () => {
    const handler = async () => {
      enqueueAfterResponse(() => undefined, { name: 'quick' });
      return 'ok';
    };
    const result = await invokeHandler(handler, {}, { timeoutMs: NO_GRACE_TIMEOUT_MS });
    expect(result.releaseReason).toBe('deadline');
    expect(result.frozen).toEqual([]);
    expect(result.jobs).toEqual([{ name: 'quick', kind: 'job', outcome: 'unheld', durationMs: expect.any(Number) as number }]);
    expect(unheldWarns(result)).toEqual(['quick']);
  });

  test('an awaiting handler past the grace\'s end: the job queued before deadline − margin never started, the one after the grace is unheld', async () => {
    const handler = async (_event: unknown, context: LambdaContext) => {
      enqueueAfterResponse(() => undefined, { name: 'early' });
      while (context.getRemainingTimeInMillis() > 200) await sleep(5); // past deadline − margin + grace (250 ms left)
      enqueueAfterResponse(() => undefined, { name: 'late' });
      enqueueAfterResponse(Promise.resolve(), { name: 'late promise' });
      return 'ok';
    };
    const result = await invokeHandler(handler, {}, { timeoutMs: 1000 });
    expect(result.jobs.map(({ name, kind, outcome }) => ({ name, kind, outcome }))).toEqual([
      { name: 'early', kind: 'job', outcome: 'never-started' },
      { name: 'late', kind: 'job', outcome: 'unheld' },
      { name: 'late promise', kind: 'promise', outcome: 'unheld' },
    ]);
    expect(unheldWarns(result)).toEqual(['late', 'late promise']);
  });

  test('a timer that outlived an earlier invoke enqueues during the next one: in neither invoke\'s `jobs` (the handler did not enqueue it)', async () => {
    let fired: () => void = () => undefined;
    const firedOnce = new Promise<void>((resolve) => (fired = resolve));
    const handler = async (event: { readonly first: boolean }) => {
      if (event.first) setTimeout(() => { enqueueAfterResponse(() => undefined, { name: 'from-old-timer' }); fired(); }, 30);
      else await firedOnce;
      return 'ok';
    };
    const first = await invokeHandler(handler, { first: true });
    const second = await invokeHandler(handler, { first: false });
    expect(first.jobs).toEqual([]);
    expect(second.jobs).toEqual([]);
    expect(second.logs.some((line) => line.job === 'from-old-timer' && line.handlerRunning === undefined)).toBe(true);
  });

  test('for any job name: the kit\'s `unheld` records are exactly the jobs the layer WARNs it did not hold', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name.trim() !== ''), { minLength: 1, maxLength: 3 }), async (names) => {
      const handler = async () => {
        for (const name of names) enqueueAfterResponse(() => undefined, { name });
        return 'ok';
      };
      const result = await invokeHandler(handler, {}, { timeoutMs: NO_GRACE_TIMEOUT_MS });
      expect(result.jobs.filter((job) => job.outcome === 'unheld').map((job) => job.name)).toEqual(unheldWarns(result));
      expect(result.jobs.map((job) => job.name)).toEqual(names);
    }), { numRuns: 15 });
  });
});
