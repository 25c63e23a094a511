// The client's parts (client/parts.ts): the fallback hosts and the tasks are loaded at the first
// need, never at import or while the extension's host is in use, and a part that cannot be loaded
// is said in one ERROR naming its file, each job, flusher or task batch it cannot run named too.
import { describe, expect, test } from 'vitest';
import { buildClient } from '../../client/client.ts';
import { lazyTaskApi } from '../../client/default-tasks.ts';
import { createFallbacks, type FallbackParts } from '../../client/hosts/fallbacks.ts';
import { partLoader } from '../../client/require-part.ts';
import { createTaskApi, type TaskParts } from '../../client/tasks/index.ts';
import { HOST_REGISTRY_KEY, type HostV1 } from '../../shared/host-protocol.ts';
import { recordingLogger } from './fakes.ts';
import { fakeTaskHost } from './task-fakes.ts';

const MISSING = "lambda-after-response could not load /opt/nodejs/node_modules/lambda-after-response/fallback.cjs: Cannot find module '/opt/nodejs/node_modules/lambda-after-response/fallback.cjs'; it runs jobs";

function countingFallbacks(): { load: () => FallbackParts; loads: () => number } {
  let loads = 0;
  return { load: () => (loads++, { createFallbacks }), loads: () => loads };
}

describe('client: the fallback hosts are loaded at the first need only', () => {
  test('with the extension\'s host published, enqueue, flush and drain never load them', async () => {
    const received: string[] = [];
    const host: HostV1 = { enqueue: (_job, { name }) => void received.push(name), drain: () => Promise.resolve(), addFlusher: () => () => undefined };
    const parts = countingFallbacks();
    const { client } = buildClient({ global: { [HOST_REGISTRY_KEY]: { layerVersion: 'test', protocols: { 1: host } } }, logger: recordingLogger(), env: {}, loadFallbacks: parts.load });
    client.enqueueAfterResponse(() => undefined, { name: 'hosted' });
    client.flushAfterResponse(() => undefined, { name: 'telemetry' });
    await client.drainAfterResponse();
    expect(received).toEqual(['hosted']);
    expect(parts.loads()).toBe(0);
  });

  test('without a host, the first enqueue loads them, once, and the job runs in-process', async () => {
    const parts = countingFallbacks();
    const { client } = buildClient({ global: {}, logger: recordingLogger(), env: {}, loadFallbacks: parts.load });
    expect(parts.loads()).toBe(0);
    const ran: string[] = [];
    client.enqueueAfterResponse(() => void ran.push('a'), { name: 'a' });
    client.enqueueAfterResponse(() => void ran.push('b'), { name: 'b' });
    await client.drainAfterResponse();
    expect(ran).toEqual(['a', 'b']);
    expect(parts.loads()).toBe(1);
  });
});

describe('client: fallback code that cannot be loaded is said, and each job and flusher it cannot run is named', () => {
  test('one ERROR naming the file and what does not work; a job function is named as not run; a rejected promise job is caught and logged', async () => {
    const logger = recordingLogger();
    const { client } = buildClient({ global: {}, logger, env: {}, loadFallbacks: () => { throw new Error(`${MISSING} and flushers`); } });
    client.enqueueAfterResponse(() => undefined, { name: 'receipt' });
    client.enqueueAfterResponse(Promise.reject(new Error('boom')), { name: 'audit' });
    client.flushAfterResponse(() => undefined, { name: 'telemetry' });
    await client.drainAfterResponse();
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.records.map((r) => [r.level, r.message, r.job ?? r.flusher])).toEqual([
      ['ERROR', expect.stringContaining(`${MISSING} and flushers; without it, jobs and flushers cannot run in this process`), undefined],
      ['ERROR', 'job not run: the client could not load its fallback code', 'receipt'],
      ['ERROR', expect.stringContaining('promise not tracked'), 'audit'],
      ['ERROR', 'flusher not run: the client could not load its fallback code', 'telemetry'],
      ['ERROR', 'job failed', 'audit'],
    ]);
  });
});

describe('client: the tasks are loaded at the first task call only', () => {
  test('made lazily: nothing loaded until defineTask, then once', () => {
    let loads = 0;
    const tasks = lazyTaskApi({ load: (): TaskParts => (loads++, { createTaskApi }), host: () => fakeTaskHost().host, logger: recordingLogger(), env: {} });
    expect(loads).toBe(0);
    tasks.defineTask('one', () => undefined);
    tasks.defineTask('two', () => undefined);
    expect(loads).toBe(1);
  });

  test('task code that cannot be loaded: one ERROR; defineTask and setTaskCompletionStore throw it; a task batch is reported failed whole', async () => {
    const logger = recordingLogger();
    const failure = new Error('lambda-after-response could not load /opt/x/tasks.cjs: Unexpected token; defineTask, handleTaskBatch and setTaskCompletionStore do not work');
    const tasks = lazyTaskApi({ load: () => { throw failure; }, host: () => fakeTaskHost().host, logger, env: {} });
    expect(() => tasks.defineTask('one', () => undefined)).toThrow(failure);
    expect(() => tasks.setTaskCompletionStore(undefined)).toThrow(failure);
    const batch = { Records: [{ messageId: 'm-1', body: '{}' }, { messageId: 'm-2', body: '{}' }] };
    await expect(tasks.handleTaskBatch(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['ERROR', failure.message],
      ['ERROR', 'task batch not run: the client could not load its task code; every record is reported failed'],
    ]);
  });
});

describe('partLoader: a sibling file required once, or an error naming it', () => {
  const options = { from: () => '/opt/nodejs/node_modules/lambda-after-response/index.mjs', file: 'fallback.cjs', exports: ['createFallbacks'], what: 'it runs jobs' };

  test('requires the file beside the entry once, and returns the same module after', () => {
    const paths: string[] = [];
    const part = { createFallbacks };
    const load = partLoader<FallbackParts>({ ...options, require: (path) => (paths.push(path), part) });
    expect(load()).toBe(part);
    expect(load()).toBe(part);
    expect(paths).toEqual(['/opt/nodejs/node_modules/lambda-after-response/fallback.cjs']);
  });

  test('reads the entry\'s path at the first load, not when the loader is made (an ES entry\'s first import.meta costs its import)', () => {
    const reads: string[] = [];
    const load = partLoader<FallbackParts>({ ...options, from: () => (reads.push('from'), options.from()), require: () => ({ createFallbacks }) });
    expect(reads).toEqual([]);
    load();
    load();
    expect(reads).toEqual(['from']);
  });

  test('a missing file: an Error with its path, the cause and what does not work, the same at each call, required once', () => {
    let calls = 0;
    const load = partLoader<FallbackParts>({ ...options, from: () => '/opt/nodejs/node_modules/lambda-after-response/index.cjs', require: (path) => {
      calls++;
      throw Object.assign(new Error(`Cannot find module '${path}'\nRequire stack:\n- /x`), { code: 'MODULE_NOT_FOUND' });
    } });
    expect(load).toThrow(MISSING);
    expect(load).toThrow(MISSING);
    expect(calls).toBe(1);
  });

  test('a corrupt file (a syntax error) and a file without the functions (another version) are named too', () => {
    const corrupt = partLoader<FallbackParts>({ ...options, require: () => { throw new SyntaxError('Unexpected end of input'); } });
    expect(corrupt).toThrow('lambda-after-response could not load /opt/nodejs/node_modules/lambda-after-response/fallback.cjs: Unexpected end of input; it runs jobs');
    for (const exported of [{}, { createFallbacks: 'x' }, null, 'text']) {
      const other = partLoader<FallbackParts>({ ...options, require: () => exported });
      expect(other).toThrow('fallback.cjs: it exports no function `createFallbacks` (a damaged file, or one from another version of the package); it runs jobs');
    }
  });
});
