// The subpath entries against the frameworks' real packages, in-process (no layer: the default
// client tracks promises in-process, so drainAfterResponse() shows what was handed over).
import middy from '@middy/core';
import awsLambdaWrapper from '@opennextjs/aws/overrides/wrappers/aws-lambda.js';
import type { InternalEvent, InternalResult } from '@opennextjs/aws/types/open-next.js';
import type { Converter, OpenNextHandlerOptions, Wrapper } from '@opennextjs/aws/types/overrides.js';
import type { Context } from 'aws-lambda';
import { Hono, type Context as HonoContext } from 'hono';
import { handle } from 'hono/aws-lambda';
import { testClient } from 'hono/testing';
import { describe, expect, it, vi } from 'vitest';
import { executionContext, withExecutionContext } from '../../client/bridges/hono.ts';
import { drainAfterResponse, waitUntil } from '../../client/index.ts';
import { waitUntilMiddleware, type WaitUntilContext } from '../../client/bridges/middy.ts';
import { withWaitUntil } from '../../client/bridges/opennext.ts';

type LambdaEvent = Parameters<ReturnType<typeof handle>>[0];
const event = (path: string): LambdaEvent => ({
  version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', headers: { host: 'example.test' }, body: '', isBase64Encoded: false,
  requestContext: { authentication: null, authorizer: { jwt: { claims: {}, scopes: [] } }, accountId: '1', apiId: 'a', domainName: 'example.test', domainPrefix: 'example', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } },
});
const lambdaContext = {} as Context;
const later = (order: string[], label: string, ms = 20): Promise<void> => new Promise((resolve) => setTimeout(() => resolve(void order.push(label)), ms));

describe('lambda-after-response/hono', () => {
  const app = new Hono();
  const order: string[] = [];
  app.get('/work', (c) => {
    c.executionCtx.waitUntil(later(order, 'background done'));
    return c.text('ok');
  });
  app.get('/bad', (c) => {
    c.executionCtx.waitUntil(42 as never);
    return c.text('unreachable');
  });

  it('handle(withExecutionContext(app)): c.executionCtx.waitUntil tracks the promise, the response does not wait', async () => {
    const result = await handle(withExecutionContext(app))(event('/work'), lambdaContext);
    order.push('responded');
    expect(result).toMatchObject({ statusCode: 200, body: 'ok' });
    await drainAfterResponse();
    expect(order).toEqual(['responded', 'background done']);
  });

  it('without the wrapper, Hono behaves as documented: c.executionCtx throws and the app answers 500', async () => {
    const result = await handle(app)(event('/work'), lambdaContext);
    expect(result).toMatchObject({ statusCode: 500 });
  });

  it('a non-promise given to c.executionCtx.waitUntil is a TypeError (Hono answers 500)', async () => {
    expect(() => executionContext.waitUntil(42 as never)).toThrow('got `42` (number)');
    expect(await handle(withExecutionContext(app))(event('/bad'), lambdaContext)).toMatchObject({ statusCode: 500 });
  });

  it('keeps an execution context the caller passes, and the rest of the app as is', async () => {
    const seen: unknown[] = [];
    const own = { waitUntil: (p: Promise<unknown>) => void seen.push(p), passThroughOnException: () => undefined, props: {} };
    const a = new Hono().get('/', (c) => {
      c.executionCtx.waitUntil(Promise.resolve());
      return c.text('x');
    });
    const wrapped = withExecutionContext(a);
    await wrapped.fetch(new Request('http://h/'), {}, own);
    expect(seen).toHaveLength(1);
    expect(wrapped.routes).toBe(a.routes);
    expect(() => withExecutionContext({} as never)).toThrow('Expected `app` to be a Hono app');
  });
});

describe('lambda-after-response/hono: every entry that dispatches a request gets the execution context', () => {
  const route = (order: string[]) => (c: HonoContext) => {
    c.executionCtx.waitUntil(later(order, 'background done'));
    return c.text('ok');
  };

  it("app.request('/x') (Hono's test call) answers 200 and tracks the promise, as fetch does", async () => {
    const order: string[] = [];
    const wrapped = withExecutionContext(new Hono().get('/x', route(order)));
    const response = await wrapped.request('/x');
    order.push('responded');
    expect(response.status).toBe(200);
    expect(await (await wrapped.request(new Request('http://h/x'))).text()).toBe('ok'); // a Request too
    await drainAfterResponse();
    expect(order).toEqual(['responded', 'background done', 'background done']);
  });

  it('testClient() of hono/testing (which calls app.request) answers 200', async () => {
    const wrapped = withExecutionContext(new Hono().get('/x', route([])));
    const client = testClient(wrapped) as unknown as { x: { $get(): Promise<Response> } };
    expect((await client.x.$get()).status).toBe(200);
    await drainAfterResponse();
  });

  it('keeps an execution context the caller passes to request()', async () => {
    const seen: unknown[] = [];
    const own = { waitUntil: (p: Promise<unknown>) => void seen.push(p), passThroughOnException: () => undefined, props: {} };
    const wrapped = withExecutionContext(new Hono().get('/', (c) => (c.executionCtx.waitUntil(Promise.resolve()), c.text('x'))));
    expect((await wrapped.request('/', undefined, {}, own)).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('chaining on the wrapped app keeps the wrapper: handle(withExecutionContext(new Hono()).get(...)) answers 200', async () => {
    const order: string[] = [];
    const chained = withExecutionContext(new Hono()).get('/work', route(order)).use(async (_c, next) => next());
    expect(await handle(chained)(event('/work'), lambdaContext)).toMatchObject({ statusCode: 200 });
    const based = withExecutionContext(new Hono()).basePath('/api').get('/work', route(order)); // basePath returns a copy
    expect((await based.request('/api/work')).status).toBe(200);
    await drainAfterResponse();
    expect(order).toEqual(['background done', 'background done']);
  });

  it('a method read twice is the same function (no new function per read)', () => {
    const wrapped = withExecutionContext(new Hono());
    expect(wrapped.get).toBe(wrapped.get);
    expect(wrapped.request).toBe(wrapped.request);
    expect(wrapped.fetch).toBe(wrapped.fetch);
  });
});

describe('lambda-after-response/middy', () => {
  it('adds context.waitUntil in before; the handler returns before the promise settles', async () => {
    const order: string[] = [];
    const handler = middy(async (_event: unknown, context: Context & WaitUntilContext) => {
      context.waitUntil(later(order, 'audit written'));
      return { statusCode: 200 };
    }).use(waitUntilMiddleware());
    const context = {} as Context;
    expect(await handler({}, context as Context & WaitUntilContext)).toEqual({ statusCode: 200 });
    order.push('responded');
    expect(Reflect.get(context, 'waitUntil')).toBeTypeOf('function');
    await drainAfterResponse();
    expect(order).toEqual(['responded', 'audit written']);
  });

  it('names a context that is not an object', () => {
    expect(() => waitUntilMiddleware().before({ context: undefined as never })).toThrow('Expected `request.context` to be the Lambda context object, got `undefined` (undefined)');
  });
});

describe('lambda-after-response/opennext', () => {
  it("wraps OpenNext's own aws-lambda wrapper: its handler gets our waitUntil, the rest is OpenNext's", async () => {
    const wrapper: Wrapper = withWaitUntil(awsLambdaWrapper);
    expect(wrapper).toMatchObject({ name: 'aws-lambda+lambda-after-response', supportStreaming: false });
    let options: OpenNextHandlerOptions | undefined;
    const result: InternalResult = { type: 'core', statusCode: 200, headers: {}, body: undefined as never, isBase64Encoded: false };
    const converter: Converter = {
      name: 'fake',
      convertFrom: async () => ({ type: 'core', method: 'GET', rawPath: '/', url: 'http://h/', body: Buffer.alloc(0), headers: {}, query: {}, cookies: {}, remoteAddress: '' }) satisfies InternalEvent,
      convertTo: async (r: InternalResult) => ({ converted: r }),
    };
    const lambda = await wrapper.wrapper(async (_event: InternalEvent, o?: OpenNextHandlerOptions) => ((options = o), result), converter);
    expect(await lambda({ rawPath: '/' })).toEqual({ converted: result });
    expect(options?.waitUntil).toBeTypeOf('function');
    expect(options?.streamCreator).toBeDefined(); // OpenNext's own workaround stream, passed through
  });

  it('keeps a waitUntil the base wrapper passes itself, and names a bad base', async () => {
    const theirs = (): void => undefined;
    let seen: unknown;
    const base = { name: 'b', supportStreaming: false, wrapper: async (h: (e: unknown, o?: object) => Promise<unknown>) => (e: unknown) => h(e, { waitUntil: theirs }) };
    const lambda = await withWaitUntil(base).wrapper(async (_e: unknown, o?: { waitUntil?: unknown }) => void (seen = o?.waitUntil));
    await lambda({});
    expect(seen).toBe(theirs);
    expect(() => withWaitUntil(null as never)).toThrow('Expected `base` to be an OpenNext wrapper');
  });
});

describe('job names by source', () => {
  it("each bridge's waitUntil names its jobs (hono / middy / opennext waitUntil); the plain export stays `waitUntil`", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const fail = (): Promise<never> => Promise.reject(new Error('boom'));
      executionContext.waitUntil(fail());
      const context = {};
      waitUntilMiddleware().before({ context });
      (Reflect.get(context, 'waitUntil') as (p: Promise<unknown>) => void)(fail());
      let options: { waitUntil?: (p: Promise<unknown>) => void } | undefined;
      const base = { name: 'b', wrapper: async (h: (e: unknown, o?: object) => Promise<unknown>) => (e: unknown) => h(e, {}) };
      const lambda = (await withWaitUntil(base).wrapper(async (_e: unknown, o?: object) => void (options = o))) as (e: unknown) => Promise<unknown>;
      await lambda({});
      options?.waitUntil?.(fail());
      waitUntil(fail());
      await drainAfterResponse();
    } finally {
      spy.mockRestore();
    }
    const failed = lines.filter((l) => l.includes('"job failed"')).map((l) => (JSON.parse(l) as { job: string }).job);
    expect(failed).toEqual(['hono waitUntil', 'middy waitUntil', 'opennext waitUntil', 'waitUntil']);
  });
});
