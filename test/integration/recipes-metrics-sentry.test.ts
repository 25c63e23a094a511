// The Powertools Metrics and Sentry recipes with the real packages, under the rig.
import { afterAll, describe, expect, it } from 'vitest';
import { LoopbackCollector } from '../rig/loopback-collector.ts';
import { PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

describe.each(PROFILES)('on %s, Powertools Metrics published by flushAfterResponse', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'powertools.handler', packages: ['@aws-lambda-powertools/metrics'] }));

  it("writes one EMF line per invoke after the response, holding the handler's and the job's metrics", async () => {
    const box = await sandbox();
    for (const receipts of [2, 3]) {
      const mark = box.logMark();
      const result = await box.invoke({ dir: '/tmp', receipts });
      const { requestId } = result.json() as { requestId: string };
      expect(readMark(box, `metrics-flush-${requestId}`)?.at).toBeGreaterThan(toEpoch(result.responsePostedAt ?? Infinity));
      const lines = box.logsSince(mark).split('\n').filter((line) => line.includes('"RecipeApp"'));
      const docs = lines.map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({ requestId, OrdersReceived: 1, ReceiptsSent: receipts, service: 'orders' });
    }
  });
});

describe.each(PROFILES)('on %s, Sentry flushed by flushAfterResponse', (profile) => {
  const ingest = new LoopbackCollector(300); // each answer 300 ms late: the flush must wait for it
  afterAll(() => ingest.close());
  const sandbox = sandboxFor(async () => {
    const url = new URL(await ingest.listen());
    return startWithLayer({ profile, handler: 'sentry.handler', packages: ['@sentry/node'], env: { SENTRY_DSN: `http://publickey@${url.host}/1` } });
  });

  it("sends the job's captured error after the response, and the release waits for the answer", async () => {
    const box = await sandbox();
    const before = ingest.received.length;
    const result = await box.invoke({ dir: '/tmp' });
    const { requestId } = result.json() as { requestId: string };
    expect(readMark(box, `sentry-flush-${requestId}`), 'the flusher ran').toBeDefined();
    const envelopes = ingest.received.slice(before).filter((r) => r.path.startsWith('/api/1/envelope/'));
    const withError = envelopes.find((r) => r.body.toString('utf8').includes(`receipt service down for ${requestId}`));
    expect(withError, 'the error event reached the DSN').toBeDefined();
    // Both on this process's clock (the proxy and the DSN stand-in): no cross-process skew
    // (the function's timeOrigin differed by ~0.5 ms once, failing a sub-ms comparison).
    expect(withError?.at ?? -Infinity).toBeGreaterThan(result.responsePostedAt ?? Infinity);
    expect(withError?.answeredAt, 'answered before the release').toBeDefined();
    expect(result.extensionReleasedAt ?? -Infinity).toBeGreaterThanOrEqual(withError?.answeredAt ?? Infinity);
  });
});
