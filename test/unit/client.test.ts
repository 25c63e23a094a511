import { describe, expect, it } from 'vitest';
import { HOST_REGISTRY_KEY, TEST_KIT_KEY, type HostV1, type Job } from '../../shared/host-protocol.ts';
import { createClient } from '../../client/client.ts';
import { createLocalHost } from '../../client/hosts/local-host.ts';
import { unheldWarning } from '../../client/hosts/unheld-warning.ts';
import { recordingLogger } from './fakes.ts';

function withRegistry(protocols: Record<number, unknown>, layerVersion = '9.9.9'): object {
  return { [HOST_REGISTRY_KEY]: { layerVersion, protocols } };
}

describe('createClient with an extension loaded', () => {
  it('hands validated jobs to the protocol-1 host with their names', () => {
    const seen: Array<[Job, string]> = [];
    const host: HostV1 = { enqueue: (job, { name }) => void seen.push([job, name]), drain: async () => undefined };
    const client = createClient({ global: withRegistry({ 1: host }), logger: recordingLogger() });
    const job = async function sendReply(): Promise<void> {};
    client.enqueueAfterResponse(job);
    client.enqueueAfterResponse(job, { name: 'custom' });
    expect(seen).toEqual([[job, 'sendReply'], [job, 'custom']]);
  });

  it('throws a TypeError at once for bad arguments, before reaching the host', () => {
    const client = createClient({ global: withRegistry({ 1: { enqueue: () => { throw new Error('reached'); }, drain: async () => undefined } }) });
    expect(() => client.enqueueAfterResponse(42 as never)).toThrow(TypeError);
  });

  it('keeps working, loudly, when the layer only serves a newer protocol (version skew)', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: withRegistry({ 2: { enqueueV2: () => undefined } }, '2.0.0'), logger });
    let ran = false;
    client.enqueueAfterResponse(() => void (ran = true));
    client.enqueueAfterResponse(() => undefined);
    await client.drainAfterResponse();
    expect(ran).toBe(true);
    const errors = logger.records.filter((r) => r.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('version 2.0.0) serves protocol(s) 2, this client needs protocol 1');
  });

  it('uses protocol 1 of a newer layer that still serves it', () => {
    const seen: string[] = [];
    const client = createClient({ global: withRegistry({ 1: { enqueue: (_: Job, o: { name: string }) => void seen.push(o.name), drain: async () => undefined }, 2: {} }) });
    client.enqueueAfterResponse(() => undefined, { name: 'still-works' });
    expect(seen).toEqual(['still-works']);
  });
});

describe('createClient without an extension (no layer, unit tests, local runs)', () => {
  it('runs jobs in-process after the current turn, warns once, and drains', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, logger });
    const order: string[] = [];
    client.enqueueAfterResponse(async () => void order.push('job-1'));
    client.enqueueAfterResponse(async ({ requestId }) => void order.push(`job-2 ${requestId}`));
    order.push('handler returned');
    await client.drainAfterResponse();
    expect(order).toEqual(['handler returned', 'job-1', 'job-2 local']);
    expect(logger.records.filter((r) => r.level === 'WARN')).toHaveLength(1);
  });

  it('drains jobs enqueued by jobs', async () => {
    const client = createClient({ global: {}, logger: recordingLogger() });
    let inner = false;
    client.enqueueAfterResponse(() => client.enqueueAfterResponse(async () => void (inner = true)));
    await client.drainAfterResponse();
    expect(inner).toBe(true);
  });

  it('logs a failing job instead of letting it become an unhandled rejection', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, logger });
    client.enqueueAfterResponse(Promise.reject(new Error('nope')), { name: 'doomed' });
    client.enqueueAfterResponse(() => { throw new SyntaxError('bad'); });
    await client.drainAfterResponse();
    const errors = logger.records.filter((r) => r.level === 'ERROR');
    expect(errors.map((r) => [r.job, r.errorType])).toEqual([['doomed', 'Error'], ['anonymous', 'SyntaxError']]);
  });

  it('counts a rejection with undefined as a failure, and leaves failures to the caller when told to be silent', async () => {
    const logger = recordingLogger();
    const loud = createLocalHost({ logger });
    loud.enqueue(Promise.reject(undefined), { name: 'nothing' });
    await loud.drain();
    expect(logger.records.filter((r) => r.level === 'ERROR').map((r) => [r.job, r.errorType])).toEqual([['nothing', 'undefined']]);
    const quietLogger = recordingLogger();
    const quiet = createLocalHost({ logger: quietLogger, reportFailures: 'silent' });
    let ran = false;
    quiet.enqueue(() => Promise.reject(new Error('exit 3')), { name: 'command' });
    quiet.enqueue(() => void (ran = true), { name: 'fine' });
    await quiet.drain();
    expect(ran).toBe(true);
    expect(quietLogger.records).toEqual([]);
  });
});

describe('the line saying why jobs run unheld', () => {
  it('in a worker thread without the socket it names the Worker\'s own env, not a missing layer', () => {
    const inWorker = unheldWarning({ registry: undefined, env: {}, mainThread: false });
    expect(inWorker).toMatchObject({ level: 'WARN', message: expect.stringContaining('this worker thread has no AFTER_RESPONSE_SOCKET') });
    expect(unheldWarning({ registry: undefined, env: {}, mainThread: true }).message).toContain('no lambda-after-response extension is loaded');
    expect(unheldWarning({ registry: undefined, env: { AFTER_RESPONSE_DISABLED: ' TRUE ' }, mainThread: false }).message).toContain('AFTER_RESPONSE_DISABLED=true');
  });

  it('with the test kit imported, a flusher registered at import is no "no extension" WARN: the kit runs it per invoke (DEBUG)', () => {
    const logger = recordingLogger();
    const client = createClient({ global: { [TEST_KIT_KEY]: true }, env: {}, logger });
    client.flushAfterResponse(() => undefined, { name: 'exporter' });
    expect(logger.records.map(({ level, message }) => ({ level, message }))).toEqual([{ level: 'DEBUG', message: expect.stringContaining('lambda-after-response/testing is loaded') }]);
    const without = recordingLogger();
    createClient({ global: {}, env: {}, logger: without }).flushAfterResponse(() => undefined, { name: 'exporter' });
    expect(without.records.map(({ level, message }) => ({ level, message }))).toEqual([{ level: 'WARN', message: expect.stringContaining('no lambda-after-response extension is loaded') }]);
  });

  it('on Managed Instances (nothing frozen, no socket) a child or worker thread running jobs in-process is no warning', () => {
    for (const env of [{ AWS_LAMBDA_MAX_CONCURRENCY: '4' }, { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' }]) {
      for (const mainThread of [true, false]) expect(unheldWarning({ registry: undefined, env, mainThread }).level).toBe('DEBUG');
    }
  });
});
