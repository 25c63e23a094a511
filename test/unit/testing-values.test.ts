import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { enqueueAfterResponse } from '../../client/index.ts';
import { invokeHandler, type LambdaContext } from '../../extension/testing/index.ts';

describe('invokeHandler: any value a handler or a job can throw', () => {
  test('a handler throwing anything: the error is described, there is no response, and the next invoke still runs', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), async (thrown) => {
      const result = await invokeHandler(async () => {
        throw thrown;
      }, {});
      // A thrown null or undefined is no error to a callback: as in the runtime clients, only the returned promise's rejection counts.
      expect(result.response).toBeUndefined();
      expect(result.error).toEqual({ errorType: expect.any(String), errorMessage: expect.any(String), stackTrace: expect.any(Array) });
      expect(result.frozen).toEqual([]);
    }), { numRuns: 60 });
    await expect(invokeHandler(async () => 'still fine', {})).resolves.toEqual(expect.objectContaining({ response: 'still fine' }));
  });

  test('a job rejecting with anything is failed, described; the response is intact', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), async (thrown) => {
      const result = await invokeHandler(async () => {
        enqueueAfterResponse(() => Promise.reject(thrown), { name: 'odd' });
        return 'answered';
      }, {});
      expect(result.response).toBe('answered');
      expect(result.jobs).toEqual([{ name: 'odd', kind: 'job', outcome: 'failed', error: { errorType: expect.any(String), errorMessage: expect.any(String), stackTrace: expect.any(Array) }, durationMs: expect.any(Number) }]);
    }), { numRuns: 60 });
  });
});

describe('invokeHandler: the context object', () => {
  test("has Lambda's fields, and its remaining time counts down to the invoke's deadline", async () => {
    let seen: { context: LambdaContext; first: number; second: number } | undefined;
    const result = await invokeHandler(async (_event: unknown, context: LambdaContext) => {
      const first = context.getRemainingTimeInMillis();
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = { context, first, second: context.getRemainingTimeInMillis() };
      return 'ok';
    }, {}, { timeoutMs: 5000, functionName: 'orders', requestId: 'req-ctx' });
    expect(result.response).toBe('ok');
    expect(seen?.context).toEqual(expect.objectContaining({
      awsRequestId: 'req-ctx', functionName: 'orders', functionVersion: '$LATEST', memoryLimitInMB: '128',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders', logGroupName: '/aws/lambda/orders', callbackWaitsForEmptyEventLoop: true,
    }));
    expect(seen?.first).toBeLessThanOrEqual(5000);
    expect(seen?.second).toBeLessThan(seen?.first ?? NaN);
  });

  test('context.succeed and context.fail end a nodejs22.x-style handler as its callback would', async () => {
    const succeeded = await invokeHandler((_event: unknown, context: LambdaContext) => context.succeed('via succeed'), {});
    expect(succeeded.response).toBe('via succeed');
    const failed = await invokeHandler((_event: unknown, context: LambdaContext) => context.fail(new Error('via fail')), {});
    expect(failed.error).toEqual(expect.objectContaining({ errorMessage: 'via fail' }));
  });
});
