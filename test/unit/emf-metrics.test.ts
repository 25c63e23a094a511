import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmfWriter, emfLine } from '../../extension/reporting/emf-metrics.ts';
import type { InvokeSummary } from '../../extension/core/invoke.ts';
import { flush, trackerSetup as setup } from './fakes.ts';

const summary = (overrides: Partial<InvokeSummary> = {}): InvokeSummary => ({
  requestId: 'r1', outcome: 'settled', stats: { enqueued: 3, started: 3, succeeded: 2, failed: 1, abandoned: 0, neverStarted: 0 },
  flushStats: { flushed: 0, flushFailed: 1, flushAbandoned: 2 }, responseToReleaseMs: 12.5, releasedAtMs: 1_767_000_000_123, ...overrides,
});

/**
 * The rules of CloudWatch's "Specification: Embedded metric format": a root `_aws` object with
 * `Timestamp` (epoch ms, a number) and `CloudWatchMetrics` (directives: `Namespace`, `Dimensions`
 * as an array of dimension sets of ≤ 30 keys, `Metrics` of ≤ 100 `{Name, Unit}`), and every
 * dimension and metric named there present at the root (metrics as numbers).
 */
function checkEmf(line: string): Record<string, unknown> {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.trimEnd()).not.toContain('\n');
  const doc = JSON.parse(line) as Record<string, unknown>;
  const aws = doc._aws as { Timestamp: unknown; CloudWatchMetrics: unknown };
  expect(Number.isInteger(aws.Timestamp)).toBe(true);
  expect(aws.Timestamp).toBeGreaterThan(1_000_000_000_000); // epoch ms, not seconds
  expect(Array.isArray(aws.CloudWatchMetrics)).toBe(true);
  for (const directive of aws.CloudWatchMetrics as Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>) {
    expect(directive.Namespace).toMatch(/^[A-Za-z0-9.\-_/#: ]{1,255}$/);
    expect(directive.Metrics.length).toBeGreaterThan(0);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const key of set) expect(typeof doc[key]).toBe('string');
    }
    for (const metric of directive.Metrics) {
      expect(['Count', 'Milliseconds']).toContain(metric.Unit);
      expect(typeof doc[metric.Name]).toBe('number');
    }
  }
  return doc;
}

describe('the layer\'s EMF line', () => {
  it('follows the EMF specification, with the six metrics and the FunctionName dimension', () => {
    const doc = checkEmf(emfLine(summary(), { namespace: 'LambdaAfterResponse', functionName: 'orders' }));
    expect(doc).toEqual({
      _aws: { Timestamp: 1_767_000_000_123, CloudWatchMetrics: [{ Namespace: 'LambdaAfterResponse', Dimensions: [['FunctionName']], Metrics: [
        { Name: 'JobsSucceeded', Unit: 'Count' }, { Name: 'JobsFailed', Unit: 'Count' }, { Name: 'JobsAbandoned', Unit: 'Count' },
        { Name: 'FlushersFailed', Unit: 'Count' }, { Name: 'FlushersAbandoned', Unit: 'Count' }, { Name: 'PostResponseDuration', Unit: 'Milliseconds' },
      ] }] },
      FunctionName: 'orders', requestId: 'r1', outcome: 'settled', JobsSucceeded: 2, JobsFailed: 1, JobsAbandoned: 0,
      FlushersFailed: 1, FlushersAbandoned: 2, PostResponseDuration: 12.5,
    });
  });

  it('stays valid for any summary: no response seen, no function name, odd request ids', () => {
    fc.assert(fc.property(
      fc.record({ requestId: fc.string(), outcome: fc.constantFrom('settled' as const, 'deadline' as const), n: fc.nat(1e6), f: fc.option(fc.nat(100), { nil: undefined }), ms: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }), name: fc.option(fc.string({ minLength: 1 }), { nil: undefined }) }),
      ({ requestId, outcome, n, f, ms, name }) => {
        const flushStats = f === undefined ? undefined : { flushed: 0, flushFailed: f, flushAbandoned: 0 };
        const doc = checkEmf(emfLine(summary({ requestId, outcome, responseToReleaseMs: ms, flushStats, stats: { enqueued: n, started: n, succeeded: n, failed: 0, abandoned: 0, neverStarted: 0 } }), { namespace: 'NS', functionName: name }));
        expect(doc.FlushersFailed).toBe(f ?? 0);
        expect('PostResponseDuration' in doc).toBe(ms !== undefined);
        expect(doc.requestId).toBe(requestId);
      },
    ));
  });

  it('is written once per released invoke that had jobs, not for invokes without jobs, and a failing write is swallowed', async () => {
    const lines: string[] = [];
    const onSummary = createEmfWriter({ namespace: 'NS', functionName: 'fn', write: (line) => void lines.push(line) });
    const { tracker, deadline } = setup({ onSummary });
    tracker.invokeStarted('with-jobs', deadline);
    tracker.enqueue(() => undefined, 'ok');
    tracker.enqueue(() => Promise.reject(new Error('no')), 'bad');
    tracker.responsePosted('with-jobs', 'returned');
    tracker.invokeStarted('without', deadline);
    tracker.responsePosted('without', 'returned');
    await flush();
    expect(lines.map((line) => JSON.parse(line) as unknown)).toMatchObject([{ requestId: 'with-jobs', JobsSucceeded: 1, JobsFailed: 1, JobsAbandoned: 0 }]);
    const throwing = createEmfWriter({ namespace: 'NS', functionName: 'fn', write: () => { throw new Error('EPIPE'); } });
    expect(() => throwing(summary())).not.toThrow();
  });

  it('is written for an invoke without jobs whose flusher failed or was abandoned, not for one whose flushers succeeded', async () => {
    const lines: string[] = [];
    const onSummary = createEmfWriter({ namespace: 'NS', functionName: 'fn', write: (line) => void lines.push(line) });
    const { tracker, deadline, timers, logger } = setup({ onSummary, graceMs: 10 });
    let mode: 'ok' | 'throw' | 'hang' = 'ok';
    tracker.addFlusher(() => (mode === 'throw' ? Promise.reject(new Error('exporter down')) : mode === 'hang' ? new Promise(() => undefined) : undefined), 'telemetry');
    tracker.addFlusher(() => undefined, 'fine');
    for (const [id, next] of [['ok', 'ok'], ['throw', 'throw'], ['hang', 'hang']] as const) {
      mode = next;
      tracker.invokeStarted(id, deadline);
      tracker.responsePosted(id, 'returned');
      await flush();
      if (id === 'hang') {
        timers.advance(deadline - timers.now());
        await flush();
        timers.advance(10);
        await flush();
      }
    }
    expect(lines.map((line) => JSON.parse(line) as unknown)).toMatchObject([
      { requestId: 'throw', JobsSucceeded: 0, JobsFailed: 0, JobsAbandoned: 0, FlushersFailed: 1, FlushersAbandoned: 0 },
      { requestId: 'hang', outcome: 'deadline', FlushersFailed: 0, FlushersAbandoned: 1 },
    ]);
    const summaries = logger.records.filter((r) => r.message === 'after-response summary');
    expect(summaries).toMatchObject([
      { requestId: 'throw', enqueued: 0, flushed: 1, flushFailed: 1, flushAbandoned: 0 },
      { requestId: 'hang', flushed: 1, flushFailed: 0, flushAbandoned: 1 },
    ]);
  });
});
