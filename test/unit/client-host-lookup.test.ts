import { describe, expect, test } from 'vitest';
import { createClient } from '../../client/index.ts';
import { HOST_REGISTRY_KEY, type HostV1, type Job } from '../../client/host-interface.ts';
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
