// The OpenTelemetry recipe with the real SDK and OTLP/HTTP exporter, under the rig.
import { afterAll, describe, expect, it } from 'vitest';
import { LoopbackCollector, otlpSpans } from '../rig/loopback-collector.ts';
import { extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

const packages = ['@opentelemetry/api', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http'];

describe.each(PROFILES)('on %s, OpenTelemetry spans exported by flushAfterResponse', (profile) => {
  const collector = new LoopbackCollector();
  afterAll(() => collector.close());
  const sandbox = sandboxFor(async () => {
    const url = await collector.listen();
    return startWithLayer({ profile, handler: 'otel.handler', packages, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces`, AFTER_RESPONSE_METRICS: 'emf' } });
  });

  it('arrive after the response was posted and before the release; the job span joins the invocation trace', async () => {
    const box = await sandbox();
    await box.invoke({ dir: '/tmp' }); // cold start
    const before = collector.received.length;
    const result = await box.invoke({ dir: '/tmp' });
    const body = result.json() as { requestId: string; traceId: string; spanId: string };
    const flushStart = readMark(box, `otel-flush-${body.requestId}`);
    const jobDone = readMark(box, `otel-job-${body.requestId}`);
    expect(flushStart, 'the flusher ran').toBeDefined();
    expect(flushStart?.at, 'the export began after the response was posted').toBeGreaterThan(toEpoch(result.responsePostedAt ?? Infinity));
    expect(flushStart?.at, 'and after the job settled').toBeGreaterThanOrEqual(jobDone?.at ?? Infinity);
    const exports = collector.received.slice(before);
    expect(exports.length).toBeGreaterThan(0);
    for (const received of exports) expect(received.at).toBeLessThanOrEqual(result.extensionReleasedAt ?? -Infinity);
    const spans = otlpSpans(exports);
    const handlerSpan = spans.find((s) => s.name === 'handler' && s.spanId === body.spanId);
    const jobSpan = spans.find((s) => s.name === 'job' && s.traceId === body.traceId);
    expect(handlerSpan?.traceId).toBe(body.traceId);
    expect(jobSpan, 'the job span is in the invoke\'s trace').toBeDefined();
    expect(jobSpan?.parentSpanId).toBe(body.spanId);
    const emf = box.logs().split('\n').filter((line) => line.includes('"CloudWatchMetrics"') && line.includes(body.requestId));
    expect(emf.map((line) => JSON.parse(line.slice(line.indexOf('{'))) as unknown)).toMatchObject([
      { FunctionName: 'after-response-rig', JobsSucceeded: 1, JobsFailed: 0, JobsAbandoned: 0, FlushersFailed: 0, FlushersAbandoned: 0, _aws: { CloudWatchMetrics: [{ Namespace: 'LambdaAfterResponse' }] } },
    ]);
  });

  it('runs the flusher also for an invoke that enqueued nothing, and a failing flusher is logged by name without failing the invoke', async () => {
    const box = await sandbox();
    const before = collector.received.length;
    const quiet = await box.invoke({ dir: '/tmp', job: false });
    const { requestId } = quiet.json() as { requestId: string };
    expect(readMark(box, `otel-flush-${requestId}`)?.at).toBeLessThanOrEqual(toEpoch(quiet.extensionReleasedAt ?? NaN));
    expect(otlpSpans(collector.received.slice(before)).map((s) => s.name)).toEqual(['handler']);
    expect(box.logs()).not.toMatch(new RegExp(`"CloudWatchMetrics".*${requestId}`)); // no jobs: no EMF line
    const failing = await box.invoke({ dir: '/tmp', job: false, failFlush: true });
    expect(failing.status).toBe(200);
    const failed = failing.json() as { requestId: string };
    expect(extensionLogs(box.logs()).find((l) => l.message === 'flusher failed' && l.requestId === failed.requestId)).toMatchObject({ level: 'ERROR', flusher: 'otel-export', errorMessage: 'collector unreachable (fixture)' });
    // No jobs, but a flusher failed: the invoke is summarized and has its EMF line.
    expect(extensionLogs(box.logs()).find((l) => l.message === 'after-response summary' && l.requestId === failed.requestId)).toMatchObject({ enqueued: 0, flushed: 0, flushFailed: 1, flushAbandoned: 0 });
    const failedEmf = box.logs().split('\n').filter((line) => line.includes('"CloudWatchMetrics"') && line.includes(failed.requestId));
    expect(failedEmf.map((line) => JSON.parse(line.slice(line.indexOf('{'))) as unknown)).toMatchObject([{ JobsSucceeded: 0, FlushersFailed: 1, FlushersAbandoned: 0 }]);
  });
});
