// A framework's handler through the test kit: Hono on Lambda with lambda-after-response/hono.
import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { expect, test } from 'vitest';
import { withExecutionContext } from '../../client/bridges/hono.ts';
import { invokeHandler } from '../../extension/testing/index.ts';

/** An API Gateway HTTP API (payload 2.0) GET, as Hono's adapter reads it. */
const apiGatewayV2 = (path: string): LambdaEvent => ({
  version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', headers: { host: 'example.test' }, body: null, isBase64Encoded: false,
  requestContext: {
    http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, authentication: null, authorizer: {},
    requestId: 'api-req', routeKey: '$default', stage: '$default', accountId: '123456789012', apiId: 'api', domainName: 'example.test', domainPrefix: 'example', time: '06/Dec/2026:10:00:00 +0000', timeEpoch: 0,
  },
});

test('a Hono app: c.executionCtx.waitUntil holds the invoke after the response; forgetting it leaves frozen work', async () => {
  const app = new Hono();
  app.get('/held', (c) => {
    c.executionCtx.waitUntil(new Promise((resolve) => setTimeout(resolve, 50)));
    return c.text('held');
  });
  app.get('/forgotten', (c) => {
    void new Promise((resolve) => setTimeout(resolve, 2000));
    return c.text('forgotten');
  });
  const handler = handle(withExecutionContext(app));
  const held = await invokeHandler(handler, apiGatewayV2('/held'));
  expect(held.response).toEqual(expect.objectContaining({ statusCode: 200, body: 'held' }));
  expect(held.jobs).toEqual([expect.objectContaining({ kind: 'promise', outcome: 'succeeded' })]);
  expect(held.frozen).toEqual([]);
  const forgotten = await invokeHandler(handler, apiGatewayV2('/forgotten'));
  expect(forgotten.frozen).toEqual([{ type: 'Timeout', stack: expect.stringContaining('test/unit/testing-frameworks.test.ts') }]);
});
