import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOST_REGISTRY_KEY, type Job } from '../../shared/host-protocol.ts';
import { createClient } from '../../client/client.ts';
import { waitUntil } from '../../client/index.ts';
import { createWaitUntil } from '../../client/wait-until.ts';
import { recordingLogger } from './fakes.ts';

function recordingClient() {
  const seen: Array<[Job, string]> = [];
  const host = { enqueue: (job: Job, { name }: { name: string }) => void seen.push([job, name]), drain: async () => undefined };
  const client = createClient({ global: { [HOST_REGISTRY_KEY]: { layerVersion: 't', protocols: { 1: host } } }, logger: recordingLogger() });
  return { seen, client, waitUntil: createWaitUntil(client) };
}

/** Any value a user can pass that is not a thenable (functions included: a job function is not a promise). */
const nonThenable = fc.oneof(
  fc.anything().filter((v) => !(typeof v === 'object' && v !== null && typeof Reflect.get(v, 'then') === 'function')),
  fc.func(fc.anything()),
  fc.record({ then: fc.anything().filter((v) => typeof v !== 'function') }),
  fc.constant(Object.create(null) as object),
);

describe('waitUntil', () => {
  it('hands a promise or any thenable to the host as a promise job named waitUntil, and returns nothing', () => {
    const { seen, waitUntil } = recordingClient();
    const promise = Promise.resolve(1);
    const thenable = { then: (resolve: (v: number) => void) => resolve(2) };
    expect(waitUntil(promise)).toBeUndefined();
    waitUntil(thenable as unknown as PromiseLike<number>);
    expect(seen).toEqual([[promise, 'waitUntil'], [thenable, 'waitUntil']]);
  });

  it('names its jobs as asked (the framework bridges name theirs by source)', () => {
    const { seen, client } = recordingClient();
    const promise = Promise.resolve();
    createWaitUntil(client, { name: 'hono waitUntil' })(promise);
    expect(seen).toEqual([[promise, 'hono waitUntil']]);
  });

  it('throws a TypeError naming the value for 42, and queues nothing', () => {
    const { seen, waitUntil } = recordingClient();
    expect(() => waitUntil(42 as never)).toThrow(new TypeError('Expected `promise` to be a promise (thenable), got `42` (number)'));
    expect(seen).toEqual([]);
  });

  it('throws a TypeError for any non-thenable (functions too), and queues nothing', () => {
    fc.assert(fc.property(nonThenable, (value) => {
      const { seen, waitUntil } = recordingClient();
      expect(() => waitUntil(value as never)).toThrow(TypeError);
      expect(() => waitUntil(value as never)).toThrow(/^Expected `promise` to be a promise \(thenable\), got `.*` \(\w+\)$/s);
      expect(seen).toEqual([]);
    }));
  });

  it('is exported bound to the default client (no layer here: the promise is tracked in-process)', async () => {
    let settled = false;
    waitUntil(new Promise<void>((resolve) => setTimeout(() => resolve(void (settled = true)), 5)));
    const { drainAfterResponse } = await import('../../client/index.ts');
    await drainAfterResponse();
    expect(settled).toBe(true);
  });
});
