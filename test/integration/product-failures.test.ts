import { describe, expect, it, vi } from 'vitest';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

describe.each(PROFILES)('on %s, failing and overlong jobs', (profile) => {
  describe('jobs that reject or throw', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'errors.handler' }));

    it('are logged with request id and name, and the next invoke is served by the same process', async () => {
      const box = await sandbox();
      const first = await box.invoke({ dir: '/tmp' });
      const second = await box.invoke({ dir: '/tmp' });
      expect(first.status).toBe(200);
      expect(second.json()).toMatchObject({ pid: (first.json() as { pid: number }).pid });
      expect(second.runtimePid).toBe(first.runtimePid);
      expect(readMark(box, 'survivor')).toBeDefined();
      const failures = extensionLogs(box.logs()).filter((l) => l.message === 'job failed' && l.requestId === first.requestId);
      expect(failures.map((l) => [l.job, l.errorType, l.errorMessage]).sort()).toEqual([
        ['rejected-promise', 'Error', 'promise rejected on purpose'],
        ['rejecting-job', 'RangeError', 'job rejected on purpose'],
        ['throwing-job', 'TypeError', 'job threw on purpose'],
      ]);
      expect(failures.every((l) => Array.isArray(l.stackTrace) && l.stackTrace.length > 0)).toBe(true);
      expect(box.logs()).not.toMatch(/unhandled|Runtime\.ExitError|Unhandled/i);
    });
  });

  describe('a 10 s job in a function with a 3 s timeout', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'deadline.handler', timeoutSeconds: 3 }));

    it('is aborted and abandoned before the deadline: no timeout, and the same process serves the next invoke', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp', jobMs: 10 }); // warm, so the deadline is not eaten by init
      clearMarks(box, 'aborted', 'never-aborted', 'ignored-abort-finished');
      // Two 10 s jobs: one stops when its signal aborts, one ignores it.
      const result = await box.invoke({ dir: '/tmp', ignoreAbort: true });
      expect(result.body).not.toContain('Task timed out');
      const aborted = readMark(box, 'aborted');
      expect(aborted?.reason).toBe('TimeoutError');
      const deadlineMs = Number(aborted?.deadlineMs);
      const releasedAt = toEpoch(result.extensionReleasedAt ?? NaN);
      console.log(`${profile} deadline: released ${(deadlineMs - releasedAt).toFixed(1)} ms before the deadline`);
      // In order: the abort, the job that heeded it ended, the other abandoned, the release, the deadline.
      expect(aborted?.at).toBeLessThanOrEqual(releasedAt);
      expect(releasedAt).toBeLessThan(deadlineMs);
      const lines = extensionLogs(box.logs()).filter((l) => l.requestId === result.requestId);
      const aborting = lines.find((l) => l.level === 'WARN' && String(l.message).startsWith('deadline near'));
      expect(aborting?.running).toEqual(['ten-second-job', 'ignores-abort']);
      const abandoning = lines.find((l) => l.level === 'WARN' && String(l.message).startsWith('abandoning'));
      expect(abandoning?.jobs).toEqual(['ignores-abort']);
      const summary = lines.find((l) => l.message === 'after-response summary');
      expect(summary).toMatchObject({ outcome: 'deadline', enqueued: 2, started: 2, succeeded: 1, failed: 0, abandoned: 1 });
      expect(lines.indexOf(aborting ?? {})).toBeLessThan(lines.indexOf(abandoning ?? {}));
      expect(lines.indexOf(abandoning ?? {})).toBeLessThan(lines.indexOf(summary ?? {}));
      expect(readMark(box, 'never-aborted')).toBeUndefined();
      expect(readMark(box, 'ignored-abort-finished'), 'abandoned: frozen with the environment').toBeUndefined();
      const next = await box.invoke({ dir: '/tmp', jobMs: 10 });
      expect(next.body).not.toContain('Task timed out');
      expect(next.runtimePid).toBe(result.runtimePid);
    });
  });

  describe('a job that ignores its abort signal', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'stubborn.handler', timeoutSeconds: 3 }));

    it('is abandoned, does not hold the next invoke, and its late finish is logged under its own request id', async () => {
      const box = await sandbox();
      const first = await box.invoke({ dir: '/tmp', jobMs: 3500 });
      expect(first.body).not.toContain('Task timed out');
      const second = await box.invoke({ dir: '/tmp' });
      // Had the abandoned job held it, the second invoke would log its deadline and a summary.
      expect(second.extensionReleasedAt).toBeDefined();
      expect(extensionLogs(box.logs()).filter((l) => l.requestId === second.requestId)).toEqual([]);
      expect(second.runtimePid).toBe(first.runtimePid);
      const lateLog = () => extensionLogs(box.logs()).find((l) => l.message === 'abandoned job finished after the release');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(lateLog(), 'frozen after the invoke, as on Lambda: the job cannot progress').toBeUndefined();
      box.thaw();
      await vi.waitFor(() => expect(lateLog()).toMatchObject({ requestId: first.requestId, job: 'stubborn-job' }), { timeout: 10_000, interval: 20 });
    });
  });
});
