import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../rig/sandbox.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

/** Waits (polling) until the sandbox's output contains `text`. */
async function logsContain(box: Sandbox, text: string, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (!box.logs().includes(text)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe.each(PROFILES)('on %s, jobs from other processes over the extension socket', (profile) => {
  describe('a handler that spawns a detached after-response-hold and returns', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'socket-hold.handler', timeoutSeconds: 10 }));

    it('posts the response before the command ends and releases after it exits, its file written', async () => {
      const box = await sandbox();
      const [file, exitStamp] = [`${box.tmpDir}/hold-done`, `${box.tmpDir}/hold-exit`];
      await box.invoke({ name: 'warm-up', script: 'true' });
      rmSync(file, { force: true });
      rmSync(exitStamp, { force: true });
      // `date +%s%N` is the command's last act (file mtimes are only tick-precise); it exits right after.
      const result = await box.invoke({ name: 'write-file', script: 'sleep 1; echo done > /tmp/hold-done; date +%s%N > /tmp/hold-exit' });
      expect(result.json()).toMatchObject({ socket: expect.stringMatching(/^\/tmp\/after-response-\d+\.sock$/) });
      const posted = (result.responsePostedAt ?? NaN) - result.startedAt;
      expect(existsSync(file), 'the file exists at the release').toBe(true);
      const exitedAt = Number(readFileSync(exitStamp, 'utf8').trim()) / 1e6;
      const releaseAfterExit = toEpoch(result.extensionReleasedAt ?? NaN) - exitedAt;
      console.log(`${profile} hold: response posted ${posted.toFixed(1)} ms after invoke start; release ${releaseAfterExit.toFixed(2)} ms after the command's last act`);
      // Response posted → the command's last act → release → the invoke returns (RIE waits for the release).
      expect(toEpoch(result.responsePostedAt ?? NaN)).toBeLessThan(exitedAt);
      expect(releaseAfterExit).toBeGreaterThanOrEqual(0);
      expect(result.returnedAt).toBeGreaterThanOrEqual(result.extensionReleasedAt ?? NaN);
      const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
      expect(summary).toMatchObject({ outcome: 'settled', failed: 0, abandoned: 0 });
    });
  });

  describe('a held command that never exits, in a function with a 3 s timeout', () => {
    // Without freeze emulation: frozen, the SIGTERM→SIGKILL delay would end only at a later thaw.
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'socket-hold.handler', timeoutSeconds: 3, freeze: false }));

    it('is killed at the deadline margin: no timeout, and the same process serves the next invoke', async () => {
      const box = await sandbox();
      await box.invoke({ name: 'warm-up', script: 'true' });
      const result = await box.invoke({ name: 'stubborn', script: "trap '' TERM; while :; do sleep 0.1; done" });
      expect(result.body).not.toContain('Task timed out');
      // SIGKILL lands at three quarters of the abort grace, so the command is gone before the release.
      const aborting = extensionLogs(box.logs()).find((l) => l.level === 'WARN' && l.requestId === result.requestId);
      expect(aborting?.running).toEqual([expect.stringContaining('stubborn')]);
      expect(result.extensionReleasedAt, 'released by the extension, not ended by the timeout').toBeDefined();
      expect(await logsContain(box, 'SIGTERM to sh, SIGKILL in 187 ms', 2000)).toBe(true);
      // Every counted job ends in one state: killed in the grace (failed) or still running at its end (abandoned).
      const summary = extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === result.requestId);
      expect(summary).toMatchObject({ outcome: 'deadline', enqueued: 1, started: 1, succeeded: 0, neverStarted: 0 });
      expect(Number(summary?.failed) + Number(summary?.abandoned)).toBe(1);
      const next = await box.invoke({ name: 'after', script: 'true' });
      expect(next.body).not.toContain('Task timed out');
      expect(next.runtimePid).toBe(result.runtimePid);
      expect(await logsContain(box, 'sh was killed by SIGKILL (status 137)', 3000)).toBe(true);
    });
  });

  describe('a forked Node worker that calls enqueueAfterResponse', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'socket-fork.handler', timeoutSeconds: 10 }));

    it('is held until its job is done, under the invoke that started it', async () => {
      const box = await sandbox();
      await box.invoke({ dir: '/tmp', jobMs: 10 });
      clearMarks(box, 'fork-done');
      const result = await box.invoke({ dir: '/tmp', jobMs: 800 });
      const mark = readMark(box, 'fork-done');
      expect(mark, 'the worker finished before the release').toBeDefined();
      expect(mark?.requestId).toBe(result.requestId);
      expect(mark?.workerPid).not.toBe(result.runtimePid);
      const releaseAfterJob = toEpoch(result.extensionReleasedAt ?? NaN) - (mark?.at ?? NaN);
      console.log(`${profile} fork: release ${releaseAfterJob.toFixed(2)} ms after the worker's job ended`);
      expect(releaseAfterJob).toBeGreaterThanOrEqual(0);
      expect(result.returnedAt).toBeGreaterThanOrEqual(result.extensionReleasedAt ?? NaN);
      expect(box.logs()).not.toContain('NOT held');
    });
  });
});
