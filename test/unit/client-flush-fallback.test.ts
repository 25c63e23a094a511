// Flushers where no extension runs them per invoke (no layer, AFTER_RESPONSE_DISABLED, a Node
// child, an older layer without addFlusher): client/hosts/trailing-flush.ts. A job that never settles,
// or a flusher that hangs once, must not stop every later flush; a flusher must never get another
// invoke's context.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_REGISTRY_KEY, type HostV1, type JobContext } from '../../shared/host-protocol.ts';
import { createClient, type AfterResponseClient } from '../../client/client.ts';
import { createWaitUntil } from '../../client/wait-until.ts';
import { deferred, flush, recordingLogger } from './fakes.ts';
import { eventually, startSocketRig } from './socket-helpers.ts';

/** An older layer: a host without addFlusher that starts job functions at once with the current invoke's context. */
function olderLayer() {
  const controllers = new Map<string, AbortController>();
  let current: JobContext | undefined;
  const host: HostV1 = {
    enqueue: (job) => void (typeof job === 'function' ? Promise.resolve().then(() => job(current!)).catch(() => undefined) : Promise.resolve(job).catch(() => undefined)),
    drain: async () => undefined,
  };
  return {
    global: { [HOST_REGISTRY_KEY]: { layerVersion: '0.0.9', protocols: { 1: host } } },
    invoke(requestId: string, deadlineMs: number) {
      const controller = new AbortController();
      controllers.set(requestId, controller);
      current = { signal: controller.signal, requestId, deadlineMs };
    },
    deadline: (requestId: string) => controllers.get(requestId)!.abort(),
  };
}

/** Log lines about a flusher's calls (the older layer's one WARN at registration names it too). */
const about = (records: Array<Record<string, unknown>>, flusher: string) => records.filter((r) => r.flusher === flusher && !String(r.message).includes('cannot run flushers per invoke'));

type Seen = { requestId: string; deadlineMs: number; aborted: boolean };
const recordFlushes = (client: AfterResponseClient, name = 'otel'): Seen[] => {
  const seen: Seen[] = [];
  client.flushAfterResponse(({ requestId, deadlineMs, signal }) => void seen.push({ requestId, deadlineMs, aborted: signal.aborted }), { name });
  return seen;
};

describe('fallback flushers: a job that never settles blocks no later flush', () => {
  it.each([
    ['no layer', {}],
    ['AFTER_RESPONSE_DISABLED=true', { AFTER_RESPONSE_DISABLED: 'true' }],
  ])('%s: a waitUntil that never settles in invoke 1; every later batch is flushed', async (_, env) => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, env, logger });
    const seen = recordFlushes(client);
    createWaitUntil(client)(new Promise(() => {})); // invoke 1: a fetch frozen for ever
    for (let i = 0; i < 3; i++) {
      client.enqueueAfterResponse(async () => undefined, { name: `job${i}` });
      await flush(5);
      expect(seen).toHaveLength(i + 1);
    }
    expect(seen.every((s) => s.requestId === 'local')).toBe(true);
  });

  it('an older layer: a job abandoned at the deadline in r1; r2 and r3 are flushed, each with its own context', async () => {
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger: recordingLogger() });
    const seen = recordFlushes(client);
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(() => new Promise(() => {}), { name: 'ignores-abort' });
    await flush(5);
    layer.deadline('r1'); // the job ignores its signal: it runs for ever (frozen, abandoned)
    for (const [id, deadline] of [['r2', 2000], ['r3', 3000]] as const) {
      layer.invoke(id, deadline);
      client.enqueueAfterResponse(async () => undefined, { name: 'ok' });
      await flush(5);
    }
    expect(seen).toEqual([
      { requestId: 'r1', deadlineMs: 1000, aborted: true }, // at r1's abort, inside the abandoned job
      { requestId: 'r2', deadlineMs: 2000, aborted: false },
      { requestId: 'r3', deadlineMs: 3000, aborted: false },
    ]);
  });

  it('every job that settles is followed by a flush, unless a job started after it neither settles nor aborts (any schedule)', async () => {
    const step = fc.record({ kind: fc.constantFrom('function', 'promise'), settles: fc.boolean(), fails: fc.boolean(), order: fc.nat(20) });
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), fc.boolean(), async (steps, older) => {
      const layer = olderLayer();
      layer.invoke('r1', 1000);
      const client = createClient({ global: older ? layer.global : {}, env: {}, logger: recordingLogger() });
      const events: string[] = [];
      client.flushAfterResponse(({ signal }) => void events.push(signal.aborted ? 'flush at abort' : 'flush'));
      const gates = steps.map(() => deferred());
      steps.forEach(({ kind, fails }, i) => {
        const work = async (): Promise<void> => {
          events.push(`start ${i}`);
          await gates[i]!.promise;
          events.push(`settled ${i}`);
          if (fails) throw new Error(`job ${i}`);
        };
        client.enqueueAfterResponse(kind === 'function' ? work : work(), { name: `job${i}` });
      });
      await flush(2);
      // Settle in a generated order, each in its own turn; then the deadline (the older layer aborts job functions).
      const settling = steps.map((s, i) => ({ ...s, i })).filter((s) => s.settles).sort((a, b) => a.order - b.order || a.i - b.i);
      for (const { i } of settling) {
        gates[i]!.resolve();
        await flush(3);
      }
      layer.deadline('r1');
      await flush(3);
      const startedAt = (i: number): number => events.indexOf(`start ${i}`);
      const neverEnds = (i: number): boolean => !steps[i]!.settles && !(older && steps[i]!.kind === 'function');
      for (const { i } of settling) {
        const at = events.indexOf(`settled ${i}`);
        const deferredByStuckJob = steps.some((_, j) => startedAt(j) > startedAt(i) && neverEnds(j));
        // Jobs that started earlier and never end (the defect: they blocked every later flush) do not count.
        if (!deferredByStuckJob) expect(events.slice(at).some((e) => e.startsWith('flush'))).toBe(true);
      }
      const rounds = events.filter((e) => e.startsWith('flush')).length;
      expect(rounds).toBeLessThanOrEqual(settling.length + (older ? 1 : 0));
    }), { numRuns: 200 });
  });

  it('an older layer: a later job still running at the deadline runs the flushers at the abort, with the aborted signal, for the jobs before it', async () => {
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger: recordingLogger() });
    const seen = recordFlushes(client);
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(async () => undefined, { name: 'quick' });
    const slow = deferred();
    client.enqueueAfterResponse(() => slow.promise, { name: 'slow' });
    client.enqueueAfterResponse(() => new Promise(() => {}), { name: 'ignores-abort' });
    await flush(5);
    slow.resolve();
    await flush(5);
    expect(seen).toEqual([]); // the last one started still runs: it is the one that flushes
    layer.deadline('r1');
    await flush(2);
    expect(seen).toEqual([{ requestId: 'r1', deadlineMs: 1000, aborted: true }]);
  });
});

describe('fallback flushers: a flusher that hangs', () => {
  it('hangs once: later flushes still run (all flushers, concurrently), and the hung one is named in a WARN', async () => {
    const logger = recordingLogger();
    const client = createClient({ global: {}, env: {}, logger });
    let calls = 0;
    const other: number[] = [];
    client.flushAfterResponse(() => (++calls === 1 ? new Promise(() => {}) : undefined), { name: 'otel' });
    client.flushAfterResponse(() => void other.push(calls), { name: 'metrics' });
    for (let i = 0; i < 4; i++) {
      client.enqueueAfterResponse(async () => undefined, { name: `job${i}` });
      await flush(5);
    }
    expect(calls).toBe(4);
    expect(other).toEqual([1, 2, 3, 4]);
    const warns = logger.records.filter((r) => r.level === 'WARN' && r.flusher === 'otel');
    expect(warns).toHaveLength(1); // once per hung call, not at every later flush
    expect(warns[0]).toMatchObject({ requestId: 'local', message: expect.stringContaining('has not settled since an earlier flush') });
  });

  it('with a context that has a deadline (older layer): named when the signal aborts, under its own request id', async () => {
    const logger = recordingLogger();
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger });
    client.flushAfterResponse(() => new Promise(() => {}), { name: 'sentry' });
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(async () => undefined, { name: 'job' });
    await flush(5);
    expect(about(logger.records, 'sentry')).toEqual([]);
    layer.deadline('r1');
    expect(about(logger.records, 'sentry')).toMatchObject([{ level: 'WARN', requestId: 'r1', message: expect.stringContaining('still running at the deadline abort') }]);
  });

  it('a flusher that settles in time is never named', async () => {
    const logger = recordingLogger();
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger });
    client.flushAfterResponse(async () => undefined, { name: 'otel' });
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(async () => undefined, { name: 'job' });
    await flush(5);
    layer.deadline('r1');
    layer.invoke('r2', 2000);
    client.enqueueAfterResponse(async () => undefined, { name: 'job' });
    await flush(5);
    expect(about(logger.records, 'otel')).toEqual([]);
  });
});

describe("fallback flushers never get another invoke's context", () => {
  it("an older layer: r1's job was aborted at its deadline; r2 only calls waitUntil — the flusher gets an unknown context, not r1's", async () => {
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger: recordingLogger() });
    const seen = recordFlushes(client, 'sentry');
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(async () => undefined, { name: 'job' });
    await flush(5);
    layer.deadline('r1');
    layer.invoke('r2', 999_999);
    createWaitUntil(client)(Promise.resolve('sent'));
    await flush(5);
    expect(seen).toEqual([
      { requestId: 'r1', deadlineMs: 1000, aborted: false },
      { requestId: 'unknown', deadlineMs: Number.POSITIVE_INFINITY, aborted: false },
    ]);
  });

  it('a failure of a flush after a promise job is logged under `unknown`, not under the invoke before', async () => {
    const logger = recordingLogger();
    const layer = olderLayer();
    const client = createClient({ global: layer.global, logger });
    client.flushAfterResponse(({ requestId }) => {
      if (requestId === 'unknown') throw new Error('export failed');
    }, { name: 'otel' });
    layer.invoke('r1', 1000);
    client.enqueueAfterResponse(async () => undefined, { name: 'job' });
    await flush(5);
    layer.invoke('r2', 2000);
    client.enqueueAfterResponse(Promise.resolve());
    await flush(5);
    expect(logger.records.filter((r) => r.message === 'flusher failed')).toMatchObject([{ requestId: 'unknown', flusher: 'otel', errorMessage: 'export failed' }]);
  });
});

describe('fallback flushers: work enqueued while a flush runs', () => {
  it("a handler's job enqueued while a flusher runs is still flushed; the flusher's own is not", async () => {
    const client = createClient({ global: {}, env: {}, logger: recordingLogger() });
    const events: string[] = [];
    const exporting = deferred();
    let flushes = 0;
    client.flushAfterResponse(async () => {
      const n = ++flushes;
      events.push(`flush ${n}`);
      client.enqueueAfterResponse(async () => void events.push(`upload by flush ${n}`), { name: 'upload' });
      if (n === 1) await exporting.promise;
    });
    client.enqueueAfterResponse(async () => void events.push('job 1'));
    await flush(5);
    client.enqueueAfterResponse(async () => void events.push('job 2')); // while flush 1 still exports
    await flush(5);
    exporting.resolve();
    await client.drainAfterResponse();
    expect(events).toEqual(['job 1', 'flush 1', 'upload by flush 1', 'job 2', 'flush 2', 'upload by flush 2']);
  });
});

describe('fallback flushers in a Node child process (over the real socket and lifecycle)', () => {
  let rig: Awaited<ReturnType<typeof startSocketRig>> | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('a waitUntil abandoned in invoke 1 stops no flush: invoke 2 is flushed with its own request id, held', async () => {
    rig = await startSocketRig({ marginMs: 100, graceMs: 20 });
    const client = createClient({ global: {}, env: { AFTER_RESPONSE_SOCKET: rig.path }, logger: recordingLogger() });
    const seen = recordFlushes(client);
    const first = rig.invoke(300);
    createWaitUntil(client)(new Promise(() => {}));
    await eventually(() => rig!.tracker.unfinished().find((entry) => entry.jobs.includes('waitUntil')));
    first.handlerDone();
    expect((await first.released).reason).toBe('deadline');
    const second = rig.invoke();
    const gate = deferred();
    client.enqueueAfterResponse(() => gate.promise, { name: 'job' });
    await eventually(() => rig!.tracker.unfinished().find((entry) => entry.jobs.includes('job')));
    second.handlerDone();
    gate.resolve();
    expect((await second.released).reason).toBe('settled'); // the flush ran inside the job, before the release
    expect(seen).toEqual([{ requestId: second.requestId, deadlineMs: second.deadlineMs, aborted: false }]);
  });
});
