// Lambda Managed Instances with the layer, nodejs24.x (RIC 4 runs handlers on worker threads when
// AWS_LAMBDA_MAX_CONCURRENCY is set; RIE serves concurrent invokes in that mode).
import { describe, expect, it, vi } from 'vitest';
import { extensionLogs, readMark, sandboxFor, startWithLayer } from './product-helpers.ts';

// `invoke` attribution set, and logged at DEBUG: it does not apply to concurrent invokes, and the extension says what it uses instead.
const env = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '4', AFTER_RESPONSE_ATTRIBUTION: 'invoke', AFTER_RESPONSE_LOG_LEVEL: 'DEBUG' };

describe('on nodejs24.x in Managed Instances mode, concurrent invokes on worker threads', () => {
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs24.x', handler: 'managed-spawn.handler', env, freeze: false, timeoutSeconds: 10 }));

  it('every handler can spawn, and each job runs after its own invoke responded, under its own request id', async () => {
    const box = await sandbox();
    const results = [
      ...(await box.invokeConcurrently([1, 2, 3, 4].map(() => ({ dir: '/tmp' })))),
      ...(await box.invokeConcurrently([1, 2, 3, 4].map(() => ({ dir: '/tmp' })))),
    ];
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const bodies = results.map((r) => r.json() as { threadId: number; requestId: string });
    expect(new Set(bodies.map((b) => b.threadId)).size).toBeGreaterThan(1);
    // Nothing freezes here: the jobs end after the invokes returned, when the machine gets to them.
    await vi.waitFor(() => expect(bodies.map((b) => readMark(box, `mi-${b.requestId}`) !== undefined)).toEqual(Array(8).fill(true)), { timeout: 10_000, interval: 20 });
    for (const [i, result] of results.entries()) {
      const body = bodies[i];
      const done = readMark(box, `mi-${body?.requestId}`);
      expect(done?.jobRequestId).toBe(body?.requestId);
      expect(done?.threadId).toBe(body?.threadId);
      expect(done?.at).toBeGreaterThan(performance.timeOrigin + (result.responsePostedAt ?? Infinity));
    }
    const started = extensionLogs(box.logs()).filter((l) => l.message === 'after-response extension started');
    expect(new Set(started.map((l) => l.thread))).toEqual(new Set(['main', 'worker']));
    for (const line of started) expect(line).toMatchObject({ attribution: 'async-context', managedInstances: true });
    const problems = extensionLogs(box.logs()).filter((l) => l.level === 'ERROR' || l.level === 'WARN');
    expect(problems).toEqual([]);
    expect(box.logs()).not.toContain('ERR_WORKER_UNSUPPORTED_OPERATION');
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toEqual([]);
  });
});
