// The lifecycle's edges end to end under RIE, both profiles (issue: the per-invoke state machine).
import { describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../rig/sandbox.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer } from './product-helpers.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Effects that come when the (shared, loaded) machine gets to them: waited for, never a fixed pause. */
const WAIT = { timeout: 10_000, interval: 20 };

/** The extension's exit report containing `text`, once the dying runtime's output has arrived. */
async function exitReport(box: Sandbox, text: string): Promise<Record<string, unknown> | undefined> {
  const find = () => extensionLogs(box.logs()).find((l) => String(l.message).includes(text));
  await vi.waitFor(() => expect(find()).toBeDefined(), WAIT);
  return find();
}

describe.each(PROFILES)('on %s, lifecycle edges', (profile) => {
  describe('work enqueued by an abandoned job, after a thaw', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.abandonThenEnqueue', timeoutSeconds: 3 }));

    it('belongs to the abandoned invoke: the next invoke is released at once, the late work is logged under the first request id', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp' }); // warm
      const first = await box.invoke({ dir: '/tmp', first: true });
      expect(first.body).not.toContain('Task timed out');
      await pause(2000);
      const second = await box.invoke({ dir: '/tmp' });
      const held = (second.extensionReleasedAt ?? NaN) - (second.responsePostedAt ?? NaN);
      console.log(`${profile} invoke after an abandoned job's late enqueue: released ${held.toFixed(1)} ms after its response`);
      // Held by the late work (one job never settles), it would log its deadline and a summary.
      expect(second.extensionReleasedAt).toBeGreaterThan(second.responsePostedAt ?? Infinity);
      expect(extensionLogs(box.logs()).filter((l) => l.requestId === second.requestId)).toEqual([]);
      box.thaw(); // until the late work has run, as a later invoke's thaw would let it
      const late = () => extensionLogs(box.logs()).filter((l) => l.level === 'WARN' && String(l.message).startsWith('job enqueued after its invoke was released'));
      await vi.waitFor(() => expect([readMark(box, 'late-work'), late()]).toEqual([expect.anything(), [expect.anything(), expect.anything()]]), WAIT);
      box.freeze();
      expect(readMark(box, 'late-work')?.requestId).toBe(first.requestId);
      expect(late().map((l) => [l.requestId, l.job])).toEqual([[first.requestId, 'late-work'], [first.requestId, 'never-settles']]);
    });
  });

  describe('a job that rejects with a value without a prototype', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.oddThrow', timeoutSeconds: 5 }));

    it('is reported by name; the invoke is released and the same process serves the next one', async () => {
      const box = await sandbox();
      const first = await box.invoke({});
      const second = await box.invoke({});
      expect(first.body).not.toContain('Task timed out');
      expect(second.runtimePid).toBe(first.runtimePid);
      const failed = extensionLogs(box.logs()).filter((l) => l.message === 'job failed' && l.requestId === first.requestId);
      expect(failed.map((l) => [l.job, l.errorType])).toEqual([['null-prototype', 'object'], ['rejects-undefined', 'undefined']]);
    });
  });

  describe('awaiting drainAfterResponse() inside the handler', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.drainInHandler' }));

    it('runs the job first and returns the handler value, as without the layer', async () => {
      const box = await sandbox();
      for (let i = 0; i < 2; i++) {
        clearMarks(box, 'drained-job');
        const result = await box.invoke({ dir: '/tmp' });
        expect(result.json()).toBe('after-drain');
        expect(readMark(box, 'drained-job')?.at).toBeLessThan(performance.timeOrigin + (result.responsePostedAt ?? NaN));
      }
    });
  });

  describe('a handler whose job a timer enqueues 30 ms after the return', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.timerAfterReturn' }));

    it('runs that job under the invoke that set the timer, not the next one, which it does not hold', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp' });
      const first = await box.invoke({ dir: '/tmp', arm: true });
      const second = await box.invoke({ dir: '/tmp' });
      box.thaw(); // the late job runs unheld: let it finish, as a later thaw would
      const late = () => extensionLogs(box.logs()).find((l) => l.level === 'WARN' && l.job === 'timer-job');
      await vi.waitFor(() => expect([readMark(box, 'timer-job'), late()]).toEqual([expect.anything(), expect.anything()]), WAIT);
      box.freeze();
      expect(readMark(box, 'timer-job')?.requestId).toBe(first.requestId);
      expect(second.extensionReleasedAt).toBeGreaterThan(second.responsePostedAt ?? Infinity);
      expect(extensionLogs(box.logs()).filter((l) => l.requestId === second.requestId), 'the timer job neither joined nor held it').toEqual([]);
      expect(late()?.requestId).toBe(first.requestId);
    });
  });

  describe('a handler that throws after enqueueing', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.throwAfterEnqueue' }));

    it('answers with its error and still runs the job before the release', async () => {
      const box = await sandbox();
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.body).toContain('handler failed');
      expect(readMark(box, 'after-throw')?.at).toBeLessThanOrEqual(performance.timeOrigin + (result.extensionReleasedAt ?? NaN));
    });
  });

  describe('a job that calls process.exit', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.exitInJob', timeoutSeconds: 3 }));

    it('names the jobs that never finished before the process is gone', async () => {
      const box = await sandbox();
      const result = await box.invoke({});
      const lost = await exitReport(box, 'the runtime process is exiting');
      // process.exit ran synchronously inside the start of the first job: the second never started.
      expect(lost).toMatchObject({ exitCode: 3, jobs: ['exits', 'still-pending (never started)'] });
      expect(result.requestId).toEqual(expect.any(String));
      expect(lost?.requestId).toBe(result.requestId);
    });
  });

  describe('spawning grep with the hold command as an argument', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.grepHoldWord' }));

    it('is not taken for the hold command: nothing is held, nothing is logged', async () => {
      const box = await sandbox();
      const result = await box.invoke({});
      expect(result.json()).toMatchObject({ status: 1 });
      expect(extensionLogs(box.logs()).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
    });
  });
});

describe('on nodejs24.x, a handler that never settles with nothing else on the event loop', () => {
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs24.x', handler: 'edges.hang', timeoutSeconds: 5 }));

  it('the runtime exits (RIC 4), and the queued job is named under its request id', async () => {
    const box = await sandbox();
    const result = await box.invoke({});
    const lost = await exitReport(box, 'the runtime process is exiting');
    expect(lost).toMatchObject({ jobs: ['post-hang-report (never started)'] });
    expect(result.requestId).toEqual(expect.any(String));
    expect(lost?.requestId).toBe(result.requestId);
  });
});

describe.each(PROFILES)('on %s, a handler that outlives the function timeout', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'edges.outliveTimeout', timeoutSeconds: 2 }));

  it('gets SIGTERM at the reset, and the pending job is named', async () => {
    const box = await sandbox();
    const result = await box.invoke({});
    expect(result.body).toContain('Task timed out');
    const lost = await exitReport(box, 'SIGTERM');
    expect(lost).toMatchObject({ jobs: ['pending-at-reset'] });
  });
});
