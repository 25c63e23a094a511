// Type tests of the test kit `lambda-after-response/testing` (checked by tsc through vitest's typecheck mode, never run).
import type { APIGatewayProxyHandlerV2, Context, Handler, SQSHandler } from 'aws-lambda';
import { describe, expectTypeOf, test } from 'vitest';
import { invokeHandler, type DescribedError, type FrozenWork, type InvokeResult, type JobOutcome, type JobRecord, type LambdaContext, type ThawedWork } from '../../extension/testing/index.ts';

describe('invokeHandler', () => {
  test("the response is typed as the handler's awaited return value", async () => {
    const handler = async (event: { id: string }) => ({ statusCode: 200, body: event.id });
    const result = await invokeHandler(handler, { id: 'a' });
    expectTypeOf(result).toEqualTypeOf<InvokeResult<{ statusCode: number; body: string }>>();
    expectTypeOf(result.response).toEqualTypeOf<{ statusCode: number; body: string } | undefined>();
  });

  test('InvokeResult without a type argument is a result of an unknown response (no TS2314)', async () => {
    const result: InvokeResult = await invokeHandler(async () => 'ok', undefined);
    expectTypeOf(result.response).toEqualTypeOf<unknown>();
    expectTypeOf<InvokeResult>().toEqualTypeOf<InvokeResult<unknown>>();
  });

  test('the result shape: timings, jobs, frozen and thawed work, logs, the described error', async () => {
    const result = await invokeHandler(async () => 'ok', undefined);
    expectTypeOf(result.responseMs).toEqualTypeOf<number>();
    expectTypeOf(result.releasedMs).toEqualTypeOf<number>();
    expectTypeOf(result.releaseReason).toEqualTypeOf<'settled' | 'deadline' | 'timeout'>();
    expectTypeOf(result.jobs).toEqualTypeOf<readonly JobRecord[]>();
    expectTypeOf<JobRecord['kind']>().toEqualTypeOf<'job' | 'promise' | 'flusher' | 'task'>();
    expectTypeOf<JobRecord['outcome']>().toEqualTypeOf<'succeeded' | 'failed' | 'abandoned' | 'never-started' | 'unheld'>();
    expectTypeOf<JobRecord['error']>().toEqualTypeOf<DescribedError | undefined>();
    expectTypeOf(result.frozen).toEqualTypeOf<readonly FrozenWork[]>();
    expectTypeOf<FrozenWork>().toEqualTypeOf<{ readonly type: string; readonly stack: string }>();
    expectTypeOf(result.thawed).toEqualTypeOf<readonly ThawedWork[]>();
    expectTypeOf(result.error).toEqualTypeOf<DescribedError | undefined>();
    expectTypeOf(result.logs).toEqualTypeOf<ReadonlyArray<Readonly<Record<string, unknown>>>>();
  });

  test('a job nothing held is a record of its own outcome, `unheld`, that a test can single out', async () => {
    const { jobs } = await invokeHandler(async () => 'ok', undefined, { timeoutMs: 200 });
    const unheld = jobs.filter((job) => job.outcome === 'unheld');
    expectTypeOf(unheld).toEqualTypeOf<JobRecord[]>();
    expectTypeOf<Extract<JobOutcome, 'unheld'>>().toEqualTypeOf<'unheld'>();
  });

  test('takes handlers typed with @types/aws-lambda (the kit\'s context is a Context)', async () => {
    const api: APIGatewayProxyHandlerV2 = async () => ({ statusCode: 200 });
    const sqs: SQSHandler = async () => undefined;
    const plain: Handler<{ n: number }, string> = async (event) => String(event.n);
    await invokeHandler(api, {} as Parameters<APIGatewayProxyHandlerV2>[0]);
    await invokeHandler(sqs, { Records: [] });
    const result = await invokeHandler(plain, { n: 1 });
    expectTypeOf(result.response).toEqualTypeOf<string | void | undefined>();
    expectTypeOf<LambdaContext>().toExtend<Context>();
  });

  test('refuses an event of another type, bad options and a non-function handler', async () => {
    const handler = async (event: { id: string }) => event.id;
    // @ts-expect-error the event must be the handler's
    await invokeHandler(handler, { id: 1 });
    // @ts-expect-error timeoutMs is a number
    await invokeHandler(handler, { id: 'a' }, { timeoutMs: '3000' });
    // @ts-expect-error an unknown option
    await invokeHandler(handler, { id: 'a' }, { timeout: 3000 });
    // @ts-expect-error a handler is a function
    await invokeHandler(42, {});
  });
});
