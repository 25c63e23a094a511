import type { HandlerCallback, LambdaContext } from './types.ts';

export interface ContextOptions {
  readonly requestId: string;
  readonly functionName: string;
  /** The invoke's deadline, epoch milliseconds. */
  readonly deadlineMs: number;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** What `done`/`succeed`/`fail` call: the same as the handler's callback. */
  readonly callback: HandlerCallback;
}

/**
 * The `context` a Lambda Node runtime passes to the handler, with the fields RIC 3.3 and 4.0
 * set. The log group and stream follow Lambda's naming (`/aws/lambda/<function>`); the ARN uses
 * a placeholder region and account, as nothing here runs in one.
 */
export function createLambdaContext(options: ContextOptions): LambdaContext {
  const { requestId, functionName, deadlineMs, now, callback } = options;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'lambda-after-response-testing',
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - now()),
    done: (error, result) => callback(error, result),
    fail: (error) => callback(error ?? 'failed'),
    succeed: (result) => callback(null, result),
  };
}
