import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { waitUntil } from '@vercel/functions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineTask, enqueueAfterResponse } from '../../client/index.ts';
import { HOST_REGISTRY_KEY } from '../../shared/host-protocol.ts';
import { invokeHandler } from '../../extension/testing/index.ts';
import * as handlers from '../fixtures/testing/handlers.ts';

const THIS_FILE = 'test/unit/testing-edges.test.ts';

describe('invokeHandler: handlers that misbehave', () => {
  test('a handler that throws after enqueueing: its error is described, its job still runs', async () => {
    const result = await invokeHandler(handlers.throwsAfterEnqueue, {});
    expect(result.response).toBeUndefined();
    expect(result.error).toEqual(expect.objectContaining({ errorType: 'TypeError', errorMessage: 'bad order' }));
    expect(result.jobs).toEqual([expect.objectContaining({ name: 'report-failure', outcome: 'succeeded' })]);
  });

  test('a handler that never settles times out: Sandbox.Timedout, its job never started, and the next invoke is cold', async () => {
    const result = await invokeHandler(handlers.neverSettles, {}, { timeoutMs: 600 });
    expect(result.error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.60 seconds', stackTrace: [] });
    expect(result.releaseReason).toBe('timeout');
    expect(result.jobs).toEqual([{ name: 'stuck', kind: 'job', outcome: 'never-started', durationMs: 0 }]);
    expect(result.logs.map((line) => line.message)).toContain('after-response summary');
  });

  test('a job queued behind a busy one when the deadline comes is never-started, the busy one abandoned', async () => {
    const handler = async () => {
      enqueueAfterResponse(() => new Promise(() => undefined), { name: 'busy' });
      enqueueAfterResponse(async () => undefined, { name: 'queued' });
      return 'ok';
    };
    const result = await invokeHandler(handler, {}, { timeoutMs: 600, env: { AFTER_RESPONSE_CONCURRENCY: '1' } });
    expect(result.releaseReason).toBe('deadline');
    expect(result.jobs.map(({ name, outcome }) => ({ name, outcome }))).toEqual([{ name: 'busy', outcome: 'abandoned' }, { name: 'queued', outcome: 'never-started' }]);
  });

  test("error stacks of a throwing handler and of failing jobs end at the user's frames: none of the kit's", async () => {
    const handler = async () => {
      enqueueAfterResponse(async () => Promise.reject(new Error('async job')), { name: 'rejects' });
      enqueueAfterResponse(() => {
        throw new Error('sync job');
      }, { name: 'throws' });
      throw new TypeError('handler');
    };
    const result = await invokeHandler(handler, {});
    const traces = [result.error, ...result.jobs.map((job) => job.error)].map((error) => error?.stackTrace ?? []);
    expect(traces).toHaveLength(3);
    for (const trace of traces) {
      expect(trace[0]).toContain(THIS_FILE);
      expect(trace.filter((frame) => /extension\/|client\/|callHandler|enterRoot|runtimeLoop|new Promise|runInAsyncScope/.test(frame))).toEqual([]);
    }
  });

  test('a callback handler (nodejs22.x) responds when it calls back; its job runs after', async () => {
    const result = await invokeHandler(handlers.callbackHandler, {});
    expect(result.response).toBe('called back');
    expect(result.jobs).toEqual([expect.objectContaining({ name: 'after-callback', outcome: 'succeeded' })]);
  });

  test('a spawned child process left running is frozen work (PROCESSWRAP) named at the spawn', async () => {
    const result = await invokeHandler(handlers.spawnsChild, {});
    const child = result.frozen.find((work) => work.type === 'PROCESSWRAP');
    expect(child?.stack).toContain('test/fixtures/testing/handlers.ts');
  });

  test('a job enqueued after the release by the invoke\'s own callback is not this invoke\'s: it runs late, unheld, WARN under its own request id', async () => {
    const first = await invokeHandler(handlers.lateEnqueuer, { arm: true });
    const second = await invokeHandler(handlers.lateEnqueuer, { fire: true });
    expect(second.jobs).toEqual([]);
    expect(second.logs).toContainEqual(expect.objectContaining({ level: 'WARN', job: 'late-job', requestId: first.requestId }));
  });

  test('a timer left by the handler is frozen work, named where it was set', async () => {
    const result = await invokeHandler(handlers.enqueuesFromTimer, {});
    expect(result.frozen).toEqual([{ type: 'Timeout', stack: expect.stringContaining('test/fixtures/testing/handlers.ts') }]);
  });
});

describe('invokeHandler: warm invokes and thaws', () => {
  // A server that answers a connection only when the test says so: a socket left waiting on it is frozen until then.
  let server: Server;
  let port = 0;
  const waiting: Socket[] = [];
  const leavesSocket = handlers.leavesSocket(() => waiting.shift()?.write('answer'));
  beforeAll(async () => {
    server = createNetServer((socket) => void waiting.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const socket of waiting) socket.destroy();
    server.close();
  });

  test('calls on one handler are warm invokes of one environment; the context is the invoke\'s', async () => {
    const first = await invokeHandler(handlers.counter, {}, { timeoutMs: 2000, requestId: 'req-1' });
    const second = await invokeHandler(handlers.counter, {}, { timeoutMs: 2000, requestId: 'req-2' });
    expect(first.requestId).toBe('req-1');
    expect(first.response?.requestId).toBe('req-1');
    expect(second.response?.requestId).toBe('req-2');
    expect((second.response?.invokes ?? 0) - (first.response?.invokes ?? 0)).toBe(1);
    expect(first.response?.remaining).toBeGreaterThan(0);
    expect(first.response?.remaining).toBeLessThanOrEqual(2000);
  });

  test('thaw: work the previous invoke left frozen and that runs during this one is reported with its request id', async () => {
    const first = await invokeHandler(leavesSocket, { leave: port });
    expect(first.frozen.map((work) => work.type)).toEqual(['TCPWRAP']);
    const second = await invokeHandler(leavesSocket, { answer: true }, { thaw: true });
    expect(second.thawed).toEqual([{ ...first.frozen[0], requestId: first.requestId }]);
  });

  test('without thaw, nothing of earlier invokes is reported', async () => {
    await invokeHandler(leavesSocket, { leave: port });
    const second = await invokeHandler(leavesSocket, { answer: true });
    expect(second.thawed).toEqual([]);
    expect(second.frozen).toEqual([]);
  });

  test('calls run one at a time, in call order, even when a test starts them together', async () => {
    const order: string[] = [];
    const slow = async () => {
      order.push('slow start');
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('slow end');
    };
    const fast = async () => void order.push('fast');
    await Promise.all([invokeHandler(slow, {}), invokeHandler(fast, {})]);
    expect(order).toEqual(['slow start', 'slow end', 'fast']);
  });
});

describe('invokeHandler: the async chain', () => {
  let server: Server;
  let port = 0;
  let library: { connectSoon(port: number): void };
  beforeAll(async () => {
    server = createNetServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    // A library (in a node_modules directory) that opens its socket two ticks after it was called.
    const dir = join(mkdtempSync(join(tmpdir(), 'kit-chain-')), 'node_modules', 'deferred-lib');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.mjs'), "import net from 'node:net';\nexport function connectSoon(port) {\n  Promise.resolve().then(() => setImmediate(() => net.connect(port, '127.0.0.1')));\n}\n");
    library = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as typeof library;
  });
  afterAll(() => void server.close());

  test('a socket a library opens ticks later is followed back to the handler that called it', async () => {
    const handler = async () => {
      library.connectSoon(port);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'ok';
    };
    const result = await invokeHandler(handler, {});
    const socket = result.frozen.find((work) => work.type === 'TCPWRAP');
    expect(socket?.stack).toContain('node_modules/deferred-lib/index.mjs');
    expect(socket?.stack).toMatch(/--- (Immediate|PROMISE) ---/);
    expect(socket?.stack).toContain(THIS_FILE);
  });
});

describe('invokeHandler: the layer\'s metrics', () => {
  test('AFTER_RESPONSE_METRICS=emf: the EMF line of an invoke with jobs is among its log lines', async () => {
    const result = await invokeHandler(handlers.failingJob, {}, { env: { AFTER_RESPONSE_METRICS: 'emf' } });
    expect(result.logs).toContainEqual(expect.objectContaining({ _aws: expect.objectContaining({ CloudWatchMetrics: expect.any(Array) }), JobsFailed: 1 }));
  });
});

describe('invokeHandler: the layer disabled', () => {
  test('AFTER_RESPONSE_DISABLED=true: nothing holds, so the job runs in-process and its work is frozen at the release', async () => {
    const result = await invokeHandler(handlers.held, {}, { env: { AFTER_RESPONSE_DISABLED: 'true' } });
    expect(result.response).toEqual({ statusCode: 200 });
    expect(result.jobs).toEqual([]);
    expect(result.frozen.map((work) => work.type)).toEqual(['Timeout']);
    expect(result.releasedMs).toBeLessThan(result.responseMs + 500); // released with the response, not after the 500 ms job
  });
});

describe('invokeHandler: tasks', () => {
  test('a task is a job of kind task (it comes with a hand-off to its queue); with no queue configured it runs here', async () => {
    const report = defineTask('kit-report', async (payload: { n: number }) => void payload.n);
    const result = await invokeHandler(async () => {
      report.enqueue({ n: 1 });
      return 'ok';
    }, {});
    expect(result.jobs).toEqual([{ name: 'task kit-report', kind: 'task', outcome: 'succeeded', durationMs: expect.any(Number) }]);
  });

  test('a task still running at the deadline is handed off to its queue: with none configured, the hand-off is lost, and says why', async () => {
    const slow = defineTask('kit-slow', () => new Promise((resolve) => setTimeout(resolve, 5000)));
    const result = await invokeHandler(async () => {
      slow.enqueue({});
      return 'ok';
    }, {}, { timeoutMs: 1000 });
    expect(result.jobs).toEqual([{
      name: 'task kit-slow', kind: 'task', outcome: 'abandoned', durationMs: expect.any(Number),
      handOff: { reason: 'abandoned', outcome: 'lost', error: expect.objectContaining({ errorMessage: 'no queue configured' }) },
    }]);
  });
});

describe('invokeHandler: request contexts and no globals left behind', () => {
  test('@vercel/functions waitUntil is a held promise job (with AFTER_RESPONSE_REQUEST_CONTEXT=vercel)', async () => {
    const handler = async () => {
      waitUntil(new Promise((resolve) => setTimeout(resolve, 30)));
      return 'ok';
    };
    const result = await invokeHandler(handler, {}, { env: { AFTER_RESPONSE_REQUEST_CONTEXT: 'vercel' } });
    expect(result.jobs).toEqual([expect.objectContaining({ name: 'vercel waitUntil', kind: 'promise', outcome: 'succeeded' })]);
    expect(result.frozen).toEqual([]);
  });

  test('between calls: no host, no request contexts, env restored; the client runs jobs in-process again', async () => {
    const before = process.env.AFTER_RESPONSE_TESTKIT_PROBE;
    const seen: unknown[] = [];
    const handler = async () => {
      seen.push(process.env.AFTER_RESPONSE_TESTKIT_PROBE, Reflect.has(globalThis, HOST_REGISTRY_KEY));
      return 'ok';
    };
    await invokeHandler(handler, {}, { env: { AFTER_RESPONSE_TESTKIT_PROBE: 'set' } });
    expect(seen).toEqual(['set', true]);
    expect(process.env.AFTER_RESPONSE_TESTKIT_PROBE).toBe(before);
    expect(Reflect.has(globalThis, HOST_REGISTRY_KEY)).toBe(false);
    expect(Reflect.has(globalThis, Symbol.for('@vercel/request-context'))).toBe(false);
    expect(Reflect.has(globalThis, Symbol.for('@next/request-context'))).toBe(false);
    const requestId = await new Promise((resolve) => enqueueAfterResponse(({ requestId: id }) => resolve(id), { name: 'outside' }));
    expect(requestId).toBe('local');
  });

  test('a job enqueued before any call (the client found no layer) is still seen by a later call', async () => {
    enqueueAfterResponse(async () => undefined, { name: 'before-the-kit' }); // the client caches its in-process host here
    const result = await invokeHandler(handlers.held, {});
    expect(result.jobs.map((job) => job.name)).toEqual(['wait-500']);
  });
});
