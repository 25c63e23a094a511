import { describe, expect, it } from 'vitest';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

describe.each(PROFILES)('on %s, the layer holds jobs after the response', (profile) => {
  describe('a Slack-style handler', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'slack.handler', timeoutSeconds: 10 }));

    it('posts the response without waiting for the 1.5 s job, finishes the job before the release, and releases after it', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp', jobMs: 10 }); // warm: the cold start is measured by the benchmarks
      clearMarks(box, 'job-done');
      const result = await box.invoke({ dir: '/tmp', jobMs: 1500 });
      expect(result.json()).toMatchObject({ text: 'Working on it' });
      const posted = (result.responsePostedAt ?? NaN) - result.startedAt;
      const job = readMark(box, 'job-done');
      expect(job, 'the job finished before the release').toBeDefined();
      const releasedAt = toEpoch(result.extensionReleasedAt ?? NaN);
      const releaseAfterJob = releasedAt - (job?.at ?? NaN);
      // Figures only (the bench measures them: "3. Response latency", "4. Release latency"); the checks are the order.
      console.log(`${profile} slack: response posted ${posted.toFixed(1)} ms after invoke start; job ended ${(toEpoch(result.startedAt) - (job?.at ?? 0)) * -1} ms after start; release ${releaseAfterJob.toFixed(2)} ms after the job ended`);
      expect(job?.requestId).toBe(result.requestId);
      // The handler returns → the job starts (both on the function's clock); the response is posted
      // before the job ends; the job ends → release → the invoke returns (RIE waits for the release).
      expect(Number(job?.startedAt)).toBeGreaterThanOrEqual(Number(job?.returnedAt));
      expect(toEpoch(result.responsePostedAt ?? NaN)).toBeLessThan(job?.at ?? NaN);
      expect(releaseAfterJob).toBeGreaterThanOrEqual(0);
      expect(result.returnedAt).toBeGreaterThanOrEqual(result.extensionReleasedAt ?? NaN);
      const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
      expect(summary).toMatchObject({ outcome: 'settled', enqueued: 1, started: 1, succeeded: 1, failed: 0, abandoned: 0 });
    });
  });

  describe('a handler that enqueues at its very end, after an await', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'late.handler' }));

    it('holds that late job too', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp' });
      const mark = readMark(box, 'late-done');
      expect(mark).toBeDefined();
      expect(mark?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
    });
  });

  describe('a handler that passes a promise', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'promise.handler' }));

    it('holds until the promise settles', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp' });
      expect(readMark(box, 'promise-done')?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
    });
  });

  describe('a handler with 1,000 jobs, a hundred of them enqueueing more', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'many.handler' }));

    it('completes all 1,100 before the release', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp', jobs: 1000 });
      const mark = readMark(box, 'all-done');
      expect(mark?.finished).toBe(1100);
      expect(mark?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
      const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary');
      expect(summary).toMatchObject({ enqueued: 1100, succeeded: 1100, failed: 0 });
    });
  });

  describe('a CommonJS handler', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'cjs.handler' }));

    it('requires the client from the layer and is held', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.json()).toMatchObject({ module: 'cjs' });
      expect(readMark(box, 'cjs-done')?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
    });
  });

  describe('a streaming handler', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'stream.handler' }));

    it('streams the response, then runs the job before the release', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.body).toBe('streamed response');
      const mark = readMark(box, 'stream-job-done');
      expect(mark).toBeDefined();
      expect(mark?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
      expect(Number(mark?.startedAt), 'the job started after the handler ended the stream').toBeGreaterThanOrEqual(Number(mark?.endedAt));
      expect(toEpoch(result.responsePostedAt ?? NaN), 'the stream was delivered before the job ended').toBeLessThan(mark?.at ?? NaN);
    });
  });
});

describe('on nodejs22.x, a callback handler', () => {
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs22.x', handler: 'callback.handler' }));

  it('answers through the callback and is held until its job is done', async () => {
    const box = await sandbox();
    await box.invoke({ dir: '/tmp' }); // warm: the cold start is measured by the benchmarks
    const result = await box.invoke({ dir: '/tmp' });
    expect(result.json()).toMatchObject({ style: 'callback' });
    const job = readMark(box, 'callback-done');
    expect(Number(job?.startedAt), 'the job started after the handler called back').toBeGreaterThanOrEqual(Number(job?.calledBackAt));
    expect(toEpoch(result.responsePostedAt ?? NaN), 'the response did not wait for the job').toBeLessThan(job?.at ?? NaN);
    expect(job?.at).toBeLessThanOrEqual(toEpoch(result.extensionReleasedAt ?? NaN));
  });
});
