import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOST_REGISTRY_KEY, type Flusher, type HostV1 } from '../../shared/host-protocol.ts';
import { createClient } from '../../client/client.ts';
import { flushAfterResponse } from '../../client/index.ts';
import { flush, recordingLogger } from './fakes.ts';

const withRegistry = (host: unknown, layerVersion = '0.1.0'): object => ({ [HOST_REGISTRY_KEY]: { layerVersion, protocols: { 1: host } } });

describe('flushAfterResponse', () => {
  it("throws a TypeError naming the value for anything that is not a function: flushAfterResponse('x')", () => {
    expect(() => flushAfterResponse('x' as never)).toThrow(new TypeError('Expected `flusher` to be a function, got `"x"` (string)'));
    fc.assert(fc.property(fc.anything().filter((value) => typeof value !== 'function'), (value) => {
      expect(() => createClient({ global: {}, logger: recordingLogger() }).flushAfterResponse(value as never)).toThrow(/^Expected `flusher` to be a function, got `/);
    }));
    expect(() => flushAfterResponse(() => undefined, { name: '' })).toThrow('Expected `options.name` to be a non-empty string, got `""` (string)');
    expect(() => flushAfterResponse(() => undefined, { nam: 'x' } as never)).toThrow('Unknown option `nam`; expected one of: name');
  });

  it('hands the flusher to a host that runs flushers, with its name, and returns its unregister function', () => {
    const added: Array<[Flusher, string]> = [];
    let removed = 0;
    const host: HostV1 = { enqueue: () => undefined, drain: async () => undefined, addFlusher: (flusher, { name }) => (added.push([flusher, name]), () => void removed++) };
    const client = createClient({ global: withRegistry(host), logger: recordingLogger() });
    const flushTelemetry = async (): Promise<void> => undefined;
    const unregister = client.flushAfterResponse(flushTelemetry);
    client.flushAfterResponse(flushTelemetry, { name: 'otel' });
    expect(added).toEqual([[flushTelemetry, 'flushTelemetry'], [flushTelemetry, 'otel']]);
    unregister();
    expect(removed).toBe(1);
  });

  it('with an older layer (no addFlusher): warns once and runs the flushers inside the last job, so they are still held', async () => {
    const logger = recordingLogger();
    const settled: Array<Promise<unknown>> = [];
    const order: string[] = [];
    const context = { signal: new AbortController().signal, requestId: 'r1', deadlineMs: 123 };
    const host: HostV1 = {
      enqueue: (job) => void settled.push(typeof job === 'function' ? Promise.resolve(job(context)).then(() => order.push('settled')) : Promise.resolve(job)),
      drain: async () => void (await Promise.allSettled(settled)),
    };
    const client = createClient({ global: withRegistry(host), logger });
    client.flushAfterResponse(({ requestId }) => void order.push(`flush ${requestId}`), { name: 'a' });
    client.flushAfterResponse(() => {
      throw new Error('boom');
    }, { name: 'b' });
    // The promise first: the job function, started last, is the one that runs the flushers.
    client.enqueueAfterResponse(Promise.resolve().then(() => order.push('promise')));
    client.enqueueAfterResponse(async () => {
      await flush(1);
      order.push('job 1');
    });
    await client.drainAfterResponse();
    expect(order).toEqual(['promise', 'job 1', 'flush r1', 'settled']);
    expect(logger.records.filter((r) => r.level === 'WARN')).toHaveLength(1);
    expect(logger.records.find((r) => r.level === 'WARN')?.message).toContain('version 0.1.0) cannot run flushers per invoke');
    expect(logger.records.find((r) => r.message === 'flusher failed')).toMatchObject({ flusher: 'b', errorMessage: 'boom', requestId: 'r1' });
  });

  it('without the layer: runs the flushers in-process after the jobs settle; a job error stays the job\'s', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, env: {}, logger });
    const order: string[] = [];
    const unregister = client.flushAfterResponse(() => void order.push('flush'));
    client.enqueueAfterResponse(async () => {
      order.push('job');
      throw new Error('job broke');
    }, { name: 'bad-job' });
    await client.drainAfterResponse();
    expect(order).toEqual(['job', 'flush']);
    expect(logger.records.find((r) => r.message === 'job failed')).toMatchObject({ job: 'bad-job', errorMessage: 'job broke' });
    unregister();
    client.enqueueAfterResponse(() => void order.push('job 2'));
    await client.drainAfterResponse();
    expect(order).toEqual(['job', 'flush', 'job 2']);
  });
});

describe('flushAfterResponse without the extension: work a flusher enqueues', () => {
  it('is not followed by another flush (the old code looped: every flush wrapped the next one)', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, env: {}, logger });
    const order: string[] = [];
    let flushes = 0;
    client.flushAfterResponse(() => {
      flushes++;
      order.push(`flush ${flushes}`);
      // Bounded: on the old code this would go on forever; stop after 5 and let the test fail.
      if (flushes < 5) client.enqueueAfterResponse(async () => void order.push(`enqueued by flush ${flushes}`), { name: 'upload' });
    });
    client.enqueueAfterResponse(async () => void order.push('job'));
    await client.drainAfterResponse();
    await client.drainAfterResponse(); // the flusher's job, if enqueued after the first drain's look
    expect(flushes).toBe(1);
    expect(order).toEqual(['job', 'flush 1', 'enqueued by flush 1']);
    client.enqueueAfterResponse(async () => void order.push('next invoke'));
    await client.drainAfterResponse();
    await client.drainAfterResponse();
    expect(flushes).toBe(2); // a later job is still flushed
  });
});
