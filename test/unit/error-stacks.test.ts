// Whose frame a stack shows first. A bad argument's TypeError starts at the user's call (as
// Node's own argument errors do), not in the package's checks; a failing job's logged stack is
// the job's own error's, the job's frame first, in-process (no layer) and in the extension.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLocalHost } from '../../client/hosts/local-host.ts';
import { enqueueAfterResponse, flushAfterResponse, waitUntil } from '../../client/index.ts';
import { createWaitUntil } from '../../client/wait-until.ts';
import { fromCaller } from '../../shared/validate.ts';
import { createGuard } from '../../extension/runtime-hooks/guard.ts';
import { installRequestContexts, REQUEST_CONTEXT_SYMBOLS, type RequestContextValue } from '../../extension/runtime-hooks/request-context.ts';
import { recordingLogger, runtimeInvoke, trackerSetup } from './fakes.ts';

const THIS_FILE = 'error-stacks.test.ts';

/** The first `at …` frame of what `call` throws. */
function firstFrame(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return String((error as Error).stack).split('\n').find((line) => line.trimStart().startsWith('at ')) ?? '';
  }
  throw new Error('expected a throw');
}

/** Any value that is neither a function nor a thenable: a bad job, flusher and promise alike. */
const badArgument = fc.anything().filter((v) => typeof v !== 'function' && !(typeof v === 'object' && v !== null && typeof Reflect.get(v, 'then') === 'function'));

describe('a bad argument\'s TypeError', () => {
  it('starts at the user\'s call for enqueueAfterResponse, flushAfterResponse, waitUntil and a made waitUntil, whatever the value', () => {
    const made = createWaitUntil({ enqueueAfterResponse: () => undefined });
    fc.assert(fc.property(badArgument, (value) => {
      for (const call of [
        () => enqueueAfterResponse(value as never),
        () => flushAfterResponse(value as never),
        () => waitUntil(value as never),
        () => made(value as never),
        () => enqueueAfterResponse(() => undefined, { nmae: 'typo' } as never),
      ]) {
        const frame = firstFrame(call);
        expect(frame).toContain(THIS_FILE);
        expect(frame).not.toMatch(/validate|enqueueAfterResponse|flushAfterResponse|wait-until/);
      }
    }), { numRuns: 50 });
  });

  it('starts at the caller of the request context\'s waitUntil (Next\'s after(), Vercel\'s waitUntil)', () => {
    const logger = recordingLogger();
    const global = {};
    installRequestContexts({ kinds: ['next'], global, current: () => ({ key: {}, deadlineMs: 0, enqueue: () => undefined }), marginMs: 500, logger, guard: createGuard(logger) });
    const context = (Reflect.get(global, REQUEST_CONTEXT_SYMBOLS.next) as { get(): RequestContextValue | undefined }).get();
    expect(firstFrame(() => context?.waitUntil(42 as never))).toContain(THIS_FILE);
  });

  it('fromCaller leaves any other error as it is: its stack locates a fault wherever that is', () => {
    fc.assert(fc.property(fc.anything(), (thrown) => {
      const before = typeof thrown === 'object' && thrown !== null ? Reflect.get(thrown, 'stack') : undefined;
      expect(fromCaller(thrown, firstFrame)).toBe(thrown);
      if (typeof thrown === 'object' && thrown !== null) expect(Reflect.get(thrown, 'stack')).toBe(before);
    }));
    const internal = new TypeError('a bug inside');
    const stack = internal.stack;
    fromCaller(internal, firstFrame);
    expect(internal.stack).toBe(stack);
  });
});

// The jobs throw from these lines: their frames are this file's, first.
const syncJob = (): never => {
  throw new Error('sync job broke');
};
async function asyncJob(): Promise<never> {
  await Promise.resolve();
  throw new Error('async job broke');
}

describe('a failing job\'s logged stack', () => {
  it('in-process (no layer): the job\'s own stack, its frame first', async () => {
    const logger = recordingLogger();
    const host = createLocalHost({ logger });
    host.enqueue(syncJob, { name: 'sync' });
    host.enqueue(asyncJob, { name: 'async' });
    await host.drain();
    const failed = logger.records.filter((r) => r.message === 'job failed');
    expect(failed.map((r) => r.errorMessage)).toEqual(['sync job broke', 'async job broke']);
    for (const { stackTrace } of failed) expect((stackTrace as string[])[0]).toMatch(/^at (syncJob|asyncJob) \(.*error-stacks\.test\.ts:\d+:\d+\)$/);
  });

  it('in the extension: the job\'s own stack, its frame first', async () => {
    const { tracker, deadline, logger } = trackerSetup();
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(syncJob, 'sync');
      tracker.enqueue(asyncJob, 'async');
    });
    tracker.responsePosted('r1', 'returned');
    await expect(tracker.hold({ requestId: 'r1', deadlineMs: deadline })).resolves.toBe('settled');
    const failed = logger.records.filter((r) => r.message === 'job failed');
    expect(failed.map((r) => r.errorMessage)).toEqual(['sync job broke', 'async job broke']);
    for (const { stackTrace } of failed) expect((stackTrace as string[])[0]).toMatch(/^at (syncJob|asyncJob) \(.*error-stacks\.test\.ts:\d+:\d+\)$/);
  });
});
