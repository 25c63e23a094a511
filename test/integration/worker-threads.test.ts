// A function's own worker threads (outside Managed Instances) load the preload again; the
// extension must recognise them as workers (extension/core/startup.ts isMainThread, which avoids
// loading node:worker_threads) and stay silent there, whether or not they inherited the marker.
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../rig/sandbox.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

describe.each(PROFILES)('on %s, a function that starts worker threads', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'user-worker.handler', freeze: false }));

  it('gets the host on the main thread only, one registration, and no log line from the workers', async () => {
    const box = await sandbox();
    const mark = box.logMark();
    const result = await box.invoke({});
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({
      main: 'object',
      defaultEnv: { host: 'undefined', marker: String(result.runtimePid) },
      ownEnv: { host: 'undefined', marker: null },
    });
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toHaveLength(1);
    expect(extensionLogs(box.logsSince(mark)).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  });
});

// A worker thread's client finds no host (the preload is silent there) but inherits
// AFTER_RESPONSE_SOCKET: its jobs go over the socket, which the extension binds when the function
// creates its first worker thread (extension/socket/start-socket.ts), even one created at init.
describe.each(PROFILES)('on %s, jobs a function enqueues from its own worker threads', (profile) => {
  const withPool = sandboxFor(() => startWithLayer({ profile, handler: 'user-worker-jobs.handler' }));
  const withoutPool = sandboxFor(() => startWithLayer({ profile, handler: 'user-worker-jobs.handler', env: { WORKER_POOL: 'off' } }));

  /** Invokes once; the job must have ended before the release (freeze emulation), under this invoke's id, with no warning. */
  async function expectHeld(box: Sandbox, label: string, how: Record<string, unknown>): Promise<void> {
    const name = `job-${label.replaceAll(' ', '-')}`;
    clearMarks(box, name);
    const mark = box.logMark();
    const result = await box.invoke({ dir: '/tmp', jobMs: 300, name, ...how });
    expect(result.status).toBe(200);
    // Frozen right after the invoke returns: the mark exists only if the job was held.
    const job = readMark(box, name);
    expect(job, `${label}: the job finished before the release`).toMatchObject({ requestId: result.requestId });
    const posted = toEpoch(result.responsePostedAt ?? NaN);
    console.log(`${profile} ${label}: job ended ${(job!.at - posted).toFixed(1)} ms after the response was posted`);
    expect(job!.at).toBeGreaterThan(posted); // the response did not wait for it
    const logs = extensionLogs(box.logsSince(mark));
    expect(logs.filter((l) => l.level === 'WARN' || l.level === 'ERROR')).toEqual([]);
    expect(logs.find((l) => l.message === 'after-response summary')).toMatchObject({ requestId: result.requestId, enqueued: 1, succeeded: 1, abandoned: 0 });
  }

  it('the first worker thread, created by the handler of the first invoke (no child process ever): held', async () => {
    const box = await withoutPool();
    await expectHeld(box, 'first worker', { fresh: true });
    await expectHeld(box, 'second worker', { fresh: true });
  });

  it('a pool worker created at init (module top level), its connection kept across invokes: held every time', async () => {
    const box = await withPool();
    // On a kept connection the open arrives in the same loop turn as the handler's return (it
    // joined the next invoke, every other invoke, before lifecycle.ts deferred the runtime's next).
    for (let i = 1; i <= 4; i++) await expectHeld(box, `pool ${i}`, {});
  });

  it('a job that fails in a pool worker: one line, by the extension, with the request id, the job id and the worker\'s own error and stack', async () => {
    const box = await withPool();
    const name = 'job-fails-in-worker';
    clearMarks(box, name);
    const mark = box.logMark();
    const result = await box.invoke({ dir: '/tmp', jobMs: 10, name, fail: true });
    expect(result.status).toBe(200);
    expect(readMark(box, name)).toMatchObject({ requestId: result.requestId }); // it ran, held
    const logs = extensionLogs(box.logsSince(mark));
    const errors = logs.filter((l) => l.level === 'WARN' || l.level === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({
      level: 'ERROR', message: 'job failed', requestId: result.requestId, job: expect.stringContaining(name), jobId: expect.any(Number),
      errorType: 'RangeError', errorMessage: `bad frame in ${name}`, stackTrace: expect.arrayContaining([expect.stringContaining('user-worker-job.cjs')]),
    })]);
    expect(logs.find((l) => l.message === 'after-response summary')).toMatchObject({ requestId: result.requestId, enqueued: 1, failed: 1 });
  });

  it('a worker given its own environment, without the socket: runs its job in-process, with one WARN saying why', async () => {
    const box = await withPool();
    const mark = box.logMark();
    const result = await box.invoke({ dir: '/tmp', jobMs: 10, name: 'job-own-env', ownEnv: true });
    expect(result.status).toBe(200);
    const warnings = extensionLogs(box.logsSince(mark)).filter((l) => l.level === 'WARN' || l.level === 'ERROR');
    expect(warnings).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('this worker thread has no AFTER_RESPONSE_SOCKET') })]);
  });
});
