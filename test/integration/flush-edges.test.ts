// flushAfterResponse under the rig: overruns, flushers that enqueue, registration in a handler,
// and Managed Instances (concurrent invokes, nothing held).
import { describe, expect, it, vi } from 'vitest';
import { extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

describe.each(PROFILES)('on %s, flushAfterResponse edges', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'flush-edges.handler', timeoutSeconds: 2, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '500', AFTER_RESPONSE_ABORT_GRACE_MS: '200', AFTER_RESPONSE_METRICS: 'emf' } }));

  it('an overrunning flusher is aborted at deadline − margin, gets the grace, and the invoke never times out', async () => {
    const box = await sandbox();
    const result = await box.invoke({ dir: '/tmp', flushMs: 5000 });
    const { requestId } = result.json() as { requestId: string };
    expect(result.body).not.toContain('Task timed out');
    expect(result.extensionReleasedAt, 'released by the extension, not reset by the platform').toBeDefined();
    expect(readMark(box, `flush-aborted-${requestId}`)?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
    const next = await box.invoke({ dir: '/tmp' });
    expect(next.status).toBe(200);
  });

  it('a hung flusher of an invoke without jobs shows in the summary line and the EMF line (FlushersAbandoned)', async () => {
    const box = await sandbox();
    const result = await box.invoke({ dir: '/tmp', hangFlushMs: 3000 });
    const { requestId } = result.json() as { requestId: string };
    expect(result.body).not.toContain('Task timed out');
    expect(extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === requestId)).toMatchObject({ outcome: 'deadline', enqueued: 0, flushed: 0, flushFailed: 0, flushAbandoned: 1 });
    const emf = box.logs().split('\n').filter((line) => line.includes('"CloudWatchMetrics"') && line.includes(requestId));
    expect(emf.map((line) => JSON.parse(line.slice(line.indexOf('{'))) as unknown)).toMatchObject([{ JobsSucceeded: 0, JobsAbandoned: 0, FlushersFailed: 0, FlushersAbandoned: 1 }]);
    const quiet = await box.invoke({ dir: '/tmp' });
    const quietId = (quiet.json() as { requestId: string }).requestId;
    expect(box.logs()).not.toMatch(new RegExp(`"CloudWatchMetrics".*${quietId}`)); // flushers ran and succeeded, no jobs: no line
  });

  it('a job enqueued by a flusher is held, and no second flush follows it', async () => {
    const box = await sandbox();
    const result = await box.invoke({ dir: '/tmp', jobMs: 50, enqueueFromFlusher: true });
    const { requestId } = result.json() as { requestId: string };
    const flushed = readMark(box, `flush-${requestId}`);
    const fromFlusher = readMark(box, `flusher-job-${requestId}`);
    expect(flushed?.at).toBeGreaterThanOrEqual(readMark(box, `job-${requestId}`)?.at ?? Infinity);
    expect(fromFlusher?.at).toBeGreaterThan(flushed?.at ?? Infinity);
    expect(fromFlusher?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
    expect(readMark(box, `flush-runs-${requestId}`)?.runs).toBe(1);
    await box.invoke({ dir: '/tmp' }); // a thaw: a second flush deferred past the release would run now
    expect(readMark(box, `flush-runs-${requestId}`)?.runs).toBe(1);
  });

  it('registering inside the handler warns once (it adds a flusher for every later invoke)', async () => {
    const box = await sandbox();
    const mark = box.logMark();
    await box.invoke({ dir: '/tmp', registerInHandler: true });
    await box.invoke({ dir: '/tmp', registerInHandler: true });
    const warnings = extensionLogs(box.logsSince(mark)).filter((l) => String(l.message).includes('flushAfterResponse was called inside an invoke'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'WARN', flusher: 'in-handler' });
  });
});

describe('on nodejs24.x in Managed Instances mode, flushers of concurrent invokes', () => {
  const env = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '4' };
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs24.x', handler: 'flush-edges.handler', env, freeze: false, timeoutSeconds: 10 }));

  it('each run once, after their own invoke responded and its job settled, on its thread', async () => {
    const box = await sandbox();
    const results = await box.invokeConcurrently([1, 2, 3, 4].map(() => ({ dir: '/tmp', sleepMs: 300, jobMs: 100 })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Nothing freezes here: each invoke is done (its summary logged, after its flusher) when the machine gets to it.
    const summaries = () => results.filter((r) => extensionLogs(box.logs()).some((l) => l.message === 'after-response summary' && l.requestId === r.requestId));
    await vi.waitFor(() => expect(summaries()).toHaveLength(4), { timeout: 10_000, interval: 20 });
    for (const result of results) {
      const body = result.json() as { requestId: string; threadId: number };
      const flushed = readMark(box, `flush-${body.requestId}`);
      expect(flushed?.threadId).toBe(body.threadId);
      expect(flushed?.startedAt).toBeGreaterThan(toEpoch(result.responsePostedAt ?? Infinity));
      expect(flushed?.startedAt).toBeGreaterThanOrEqual(readMark(box, `job-${body.requestId}`)?.at ?? Infinity);
      expect(readMark(box, `flush-runs-${body.requestId}`)).toMatchObject({ runs: 1, threadId: body.threadId });
    }
    expect(extensionLogs(box.logs()).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  });
});
