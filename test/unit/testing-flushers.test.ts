// Its own file: the fixture's module-level flusher is process-wide, as on Lambda, and would run in every other test's invokes.
import { describe, expect, test } from 'vitest';
import { invokeHandler } from '../../extension/testing/index.ts';
import { testKitLoaded } from '../../shared/host-protocol.ts';
import * as flushing from '../fixtures/testing/flushing.ts';

describe('invokeHandler: flushers registered at module top level (before any invoke)', () => {
  test('run once per invoke as on Lambda, with or without jobs, after the jobs; unregistered, they stop', async () => {
    const withJob = await invokeHandler(flushing.withJob, {});
    expect(withJob.jobs).toEqual([
      expect.objectContaining({ name: 'some-job', kind: 'job', outcome: 'succeeded' }),
      expect.objectContaining({ name: 'telemetry', kind: 'flusher', outcome: 'succeeded' }),
    ]);
    const withoutJob = await invokeHandler(flushing.withoutJob, {});
    expect(withoutJob.jobs).toEqual([expect.objectContaining({ name: 'telemetry', kind: 'flusher', outcome: 'succeeded' })]);
    // Once each: not also by the client's in-process fallback inside the job (the kit's host runs flushers itself).
    expect(flushing.flushed).toEqual([withJob.requestId, withoutJob.requestId]);
    expect(withoutJob.releasedMs).toBeGreaterThan(withoutJob.responseMs);
    flushing.unregister();
    const after = await invokeHandler(flushing.withoutJob, {});
    expect(after.jobs).toEqual([]);
    expect(flushing.flushed).not.toContain(after.requestId);
  });

  test('importing the kit tells the client so (its "no extension is loaded" WARN becomes a DEBUG line)', () => {
    expect(testKitLoaded(globalThis)).toBe(true);
  });
});
