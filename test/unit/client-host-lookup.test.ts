import { describe, expect, test } from 'vitest';
import { createClient } from '../../client/client.ts';
import { HOST_REGISTRY_KEY, readWaitingFlushers, type Flusher, type HostV1, type Job } from '../../shared/host-protocol.ts';
import { recordingLogger } from './fakes.ts';

function fakeRegistry(received: string[]): object {
  const host: HostV1 = { enqueue: (_job: Job, { name }) => void received.push(name), drain: () => Promise.resolve() };
  return { layerVersion: 'test', protocols: { 1: host } };
}

describe('client: the host is looked up again when the registry changed (the test kit publishes one per invoke)', () => {
  test('a registry published after the first look-up is used, and removing it falls back to the same in-process host, warning once', async () => {
    const global: Record<symbol, unknown> = {};
    const logger = recordingLogger();
    const client = createClient({ global, logger, env: {} });
    const ran: string[] = [];
    client.enqueueAfterResponse(() => void ran.push('local 1'), { name: 'local-1' });
    const received: string[] = [];
    global[HOST_REGISTRY_KEY] = fakeRegistry(received);
    client.enqueueAfterResponse(() => undefined, { name: 'hosted' });
    Reflect.deleteProperty(global, HOST_REGISTRY_KEY);
    client.enqueueAfterResponse(() => void ran.push('local 2'), { name: 'local-2' });
    await client.drainAfterResponse();
    expect(received).toEqual(['hosted']);
    expect(ran).toEqual(['local 1', 'local 2']);
    expect(logger.records.filter((line) => line.level === 'WARN')).toHaveLength(1);
  });
});

describe('client: flushers registered without a layer wait for a host published later', () => {
  test('they are listed for it, removed when unregistered; a layer host that lacks addFlusher gets no listing', () => {
    const global: Record<symbol, unknown> = {};
    const client = createClient({ global, logger: recordingLogger(), env: {} });
    const flusher: Flusher = () => undefined;
    const unregister = client.flushAfterResponse(flusher, { name: 'telemetry' });
    expect(readWaitingFlushers(global)).toEqual([{ run: flusher, name: 'telemetry' }]);
    unregister();
    expect(readWaitingFlushers(global)).toEqual([]);
    const old: Record<symbol, unknown> = { [HOST_REGISTRY_KEY]: fakeRegistry([]) };
    createClient({ global: old, logger: recordingLogger(), env: {} }).flushAfterResponse(flusher, { name: 'telemetry' });
    expect(readWaitingFlushers(old)).toEqual([]);
  });

  test('a job is wrapped by the in-process flush only while the host in use cannot run flushers itself', async () => {
    const global: Record<symbol, unknown> = {};
    const client = createClient({ global, logger: recordingLogger(), env: {} });
    const flushed: string[] = [];
    client.flushAfterResponse(() => void flushed.push('flushed'), { name: 'telemetry' });
    const received: Job[] = [];
    const host: HostV1 = { enqueue: (job) => void received.push(job), drain: () => Promise.resolve(), addFlusher: () => () => undefined };
    global[HOST_REGISTRY_KEY] = { layerVersion: 'kit', protocols: { 1: host } };
    const job = async (): Promise<void> => undefined;
    client.enqueueAfterResponse(job, { name: 'hosted' });
    expect(received).toEqual([job]); // handed over as it is: the host runs its flushers
    Reflect.deleteProperty(global, HOST_REGISTRY_KEY);
    client.enqueueAfterResponse(job, { name: 'local' });
    await client.drainAfterResponse();
    expect(flushed).toEqual(['flushed']); // the in-process fallback flushed after the local job
  });
});
