// Type tests of the public API (checked by tsc through vitest's typecheck mode, never run):
// what a handler may pass, what it gets back, and what the compiler refuses.
import { describe, expectTypeOf, test } from 'vitest';
import { createClient, type AfterResponseClient } from '../../client/client.ts';
import * as publicApi from '../../client/index.ts';
import {
  drainAfterResponse,
  enqueueAfterResponse,
  type EnqueueOptions,
  type Job,
  type JobContext,
} from '../../client/index.ts';

describe('enqueueAfterResponse', () => {
  test('takes a job and optional options, returns nothing to await', () => {
    expectTypeOf(enqueueAfterResponse).parameters.toEqualTypeOf<[job: Job, options?: EnqueueOptions]>();
    expectTypeOf(enqueueAfterResponse).returns.toEqualTypeOf<void>();
  });

  test('accepts job functions (sync or async, with or without the context) and promises', () => {
    enqueueAfterResponse(() => undefined);
    enqueueAfterResponse(async () => {});
    enqueueAfterResponse(async ({ signal, requestId, deadlineMs }) => {
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(requestId).toEqualTypeOf<string>();
      expectTypeOf(deadlineMs).toEqualTypeOf<number>();
      return 42; // a job's value is ignored, any value is fine
    }, { name: 'slack-reply' });
    enqueueAfterResponse(Promise.resolve('done'));
    const thenable: PromiseLike<number> = Promise.resolve(1);
    enqueueAfterResponse(thenable); // any PromiseLike
  });

  test('refuses what is not a job, and unknown or mistyped options', () => {
    // @ts-expect-error a number is not a job
    enqueueAfterResponse(42);
    // @ts-expect-error a string is not a job
    enqueueAfterResponse('send the reply');
    // @ts-expect-error the job is required
    enqueueAfterResponse();
    // @ts-expect-error a job gets one context argument, not two required ones
    enqueueAfterResponse((_context: JobContext, _extra: string) => undefined);
    // @ts-expect-error the context's fields are what they are
    enqueueAfterResponse(({ requestId }: { requestId: number }) => requestId);
    // @ts-expect-error name is a string
    enqueueAfterResponse(() => undefined, { name: 7 });
    // @ts-expect-error unknown option (the runtime check refuses it too)
    enqueueAfterResponse(() => undefined, { nmae: 'typo' });
    // @ts-expect-error options are an object
    enqueueAfterResponse(() => undefined, 'slack-reply');
  });
});

describe('drainAfterResponse', () => {
  test('takes nothing and resolves to nothing', () => {
    expectTypeOf(drainAfterResponse).parameters.toEqualTypeOf<[]>();
    expectTypeOf(drainAfterResponse).returns.toEqualTypeOf<Promise<void>>();
    // @ts-expect-error it takes no arguments
    void drainAfterResponse(1000);
  });
});

describe('the package exports the documented API, not the client\'s test seams', () => {
  test('no createClient, createWaitUntil or WAIT_UNTIL_JOB_NAME (internal: client/client.ts, client/wait-until.ts)', () => {
    expectTypeOf(publicApi).not.toHaveProperty('createClient');
    expectTypeOf(publicApi).not.toHaveProperty('createWaitUntil');
    expectTypeOf(publicApi).not.toHaveProperty('WAIT_UNTIL_JOB_NAME');
    expectTypeOf(publicApi).toHaveProperty('waitUntil');
    expectTypeOf(publicApi).toHaveProperty('namedWaitUntil');
  });
});

describe('createClient (internal: the seam the unit tests inject a global, a logger, an environment through)', () => {
  test('returns a client with the same two functions', () => {
    const client = createClient();
    expectTypeOf(client).toEqualTypeOf<AfterResponseClient>();
    expectTypeOf(client.enqueueAfterResponse).toEqualTypeOf<typeof enqueueAfterResponse>();
    expectTypeOf(client.drainAfterResponse).toEqualTypeOf<typeof drainAfterResponse>();
  });

  test('options: a global object, a logger, an environment', () => {
    createClient({ global: {} });
    createClient({ env: { AFTER_RESPONSE_SOCKET: undefined } });
    createClient({ logger: { log: () => undefined, enabled: (level) => level !== 'TRACE' } });
    // @ts-expect-error the global is an object
    createClient({ global: 'globalThis' });
    // @ts-expect-error environment values are strings
    createClient({ env: { AFTER_RESPONSE_SOCKET: 1 } });
    // @ts-expect-error a logger has log() and enabled()
    createClient({ logger: console });
    // @ts-expect-error no such level
    createClient({ logger: { log: () => undefined, enabled: (level) => level === 'VERBOSE' } });
  });
});

describe('Job, JobContext, EnqueueOptions', () => {
  test('shapes', () => {
    expectTypeOf<JobContext>().toEqualTypeOf<{ readonly signal: AbortSignal; readonly requestId: string; readonly deadlineMs: number }>();
    expectTypeOf<EnqueueOptions>().toEqualTypeOf<{ readonly name?: string }>();
    expectTypeOf<Job>().toEqualTypeOf<((context: JobContext) => unknown) | PromiseLike<unknown>>();
    expectTypeOf<() => Promise<void>>().toExtend<Job>();
    expectTypeOf<number>().not.toExtend<Job>();
  });

  test('the context is read-only', () => {
    enqueueAfterResponse((context) => {
      // @ts-expect-error readonly
      context.deadlineMs = 0;
    });
  });
});
