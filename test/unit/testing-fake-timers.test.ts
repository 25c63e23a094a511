// Its own file: fake timers replace the globals for the whole file.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { enqueueAfterResponse } from '../../client/index.ts';
import { invokeHandler } from '../../extension/testing/index.ts';

beforeAll(() => void vi.useFakeTimers());
afterAll(() => void vi.useRealTimers());

test('with fake timers installed by the test, the kit still releases and times out in real time', async () => {
  const held = await invokeHandler(async () => {
    enqueueAfterResponse(async () => undefined, { name: 'quick' });
    return 'ok';
  }, {});
  expect(held.jobs).toEqual([expect.objectContaining({ name: 'quick', outcome: 'succeeded' })]);
  // A job waiting on a (fake) timer nobody advances: abandoned at the deadline, which passes in real time.
  const stuck = await invokeHandler(async () => {
    enqueueAfterResponse(() => new Promise((resolve) => setTimeout(resolve, 100)), { name: 'fake-timer' });
    return 'ok';
  }, {}, { timeoutMs: 1000 });
  expect(stuck.releaseReason).toBe('deadline');
  expect(stuck.jobs).toEqual([expect.objectContaining({ name: 'fake-timer', outcome: 'abandoned' })]);
});
