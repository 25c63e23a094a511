// Type tests of the task API (checked by tsc through vitest's typecheck mode, never run).
import { describe, expectTypeOf, test } from 'vitest';
import { defineTask, handleTaskBatch, isTaskBatch, setTaskCompletionStore, type SqsBatchResponse, type Task, type TaskContext } from '../../client/index.ts';

describe('defineTask', () => {
  test("the payload type flows from the function to enqueue; the context is the job's plus taskId and attempt", () => {
    const task = defineTask('send-report', async (payload: { url: string }, ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
      expectTypeOf(ctx.taskId).toEqualTypeOf<string>();
      expectTypeOf(ctx.attempt).toEqualTypeOf<number>();
      expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(payload.url).toEqualTypeOf<string>();
    });
    expectTypeOf(task).toEqualTypeOf<Task<{ url: string }>>();
    expectTypeOf(task.enqueue({ url: 'x' })).toEqualTypeOf<string>();
    // @ts-expect-error the payload's type is checked
    task.enqueue({ href: 'x' });
    task.enqueue({ url: 'x' }, { taskId: 'order-7' });
    // @ts-expect-error unknown options are refused
    task.enqueue({ url: 'x' }, { delay: 5 });
  });

  test("durability is 'in-invoke' or 'write-ahead'", () => {
    defineTask('a', () => undefined, { durability: 'write-ahead' });
    // @ts-expect-error no other durability
    defineTask('b', () => undefined, { durability: 'durable' });
  });
});

describe('isTaskBatch / handleTaskBatch', () => {
  test('narrow any event, and answer with the partial batch response', () => {
    const event: unknown = {};
    if (isTaskBatch(event)) expectTypeOf(event.Records[0]?.messageId).toEqualTypeOf<string | undefined>();
    expectTypeOf(handleTaskBatch(event)).toEqualTypeOf<Promise<SqsBatchResponse>>();
    expectTypeOf<SqsBatchResponse>().toEqualTypeOf<{ batchItemFailures: Array<{ itemIdentifier: string }> }>();
    void handleTaskBatch(event, { getRemainingTimeInMillis: () => 1000, awsRequestId: 'r' });
    setTaskCompletionStore({ has: async () => true, put: async () => {} });
  });
});
