import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NEXT_RETRY_DELAYS_MS, runExtensionLoop, type LoopDependencies } from '../../extension/extensions-api/extension-loop.ts';
import { ExtensionsApi } from '../../extension/extensions-api/extensions-api.ts';
import type { HttpRequest, HttpResponse } from '../../extension/extensions-api/http-transport.ts';
import { createRawHttpTransport } from '../../extension/extensions-api/raw-http.ts';
import { createLogger } from '../../shared/log-line.ts';

/** INFO and up, parsed. Not fakes.ts's: that one also pulls in the invoke tracker, which this loop no longer knows. */
function recordingLogger() {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'INFO', write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return Object.assign(logger, { records });
}

/** One answer of the fake Runtime API: a response, or an error the transport rejects with. */
type Step = HttpResponse | Error;

const invoke = (id: string): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ eventType: 'INVOKE', requestId: id, deadlineMs: 99, invokedFunctionArn: 'arn' }) });
const exit: HttpResponse = { status: 500, headers: {}, body: 'bye' };
const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** A loop over a scripted transport; every sleep is recorded and returns at once. */
function setup(steps: Step[], overrides: Partial<LoopDependencies> = {}) {
  const requests: HttpRequest[] = [];
  const events: string[] = [];
  const send = async (request: HttpRequest): Promise<HttpResponse> => {
    requests.push(request);
    events.push('next');
    const step = steps.shift();
    if (step === undefined) throw new Error('script exhausted');
    if (step instanceof Error) throw step;
    return step;
  };
  const held: string[] = [];
  const logger = recordingLogger();
  const deps: LoopDependencies = {
    api: new ExtensionsApi(send),
    id: 'ext-1',
    logger,
    lifecycle: { hold: async ({ requestId }) => (held.push(requestId), events.push(`hold ${requestId}`), 'settled') },
    sleep: async (ms) => void events.push(`sleep ${ms}`),
    ...overrides,
  };
  return { run: () => runExtensionLoop(deps), requests, events, held, logger };
}

const sleeps = (events: string[]): number[] => events.filter((e) => e.startsWith('sleep')).map((e) => Number(e.slice(6)));

describe('runExtensionLoop', () => {
  it('holds each invoke and calls next again only after its release', async () => {
    const { run, events } = setup([invoke('r1'), invoke('r2'), exit]);
    expect(await run()).toEqual({ kind: 'exit-requested', status: 500, body: 'bye' });
    expect(events).toEqual(['next', 'hold r1', 'next', 'hold r2', 'next']);
  });

  it('logs each release at DEBUG with its request id and reason, after the hold and before the next `next`', async () => {
    const records: Array<Record<string, unknown>> = [];
    const events: string[] = [];
    const logger = createLogger({ level: 'DEBUG', write: (line) => void (records.push(JSON.parse(line) as Record<string, unknown>), events.push('log')) });
    const { run } = setup([invoke('r1'), exit], {
      logger,
      lifecycle: { hold: async () => (events.push('hold'), 'deadline') },
    });
    await run();
    expect(records.filter((r) => r.message === 'released')).toEqual([expect.objectContaining({ level: 'DEBUG', requestId: 'r1', reason: 'deadline' })]);
    expect(events.slice(0, 2)).toEqual(['hold', 'log']);
  });

  it('calls afterHold with each hold\'s outcome, after the hold and before the `next` that releases it', async () => {
    const outcomes = ['settled', 'deadline'];
    const { run, events } = setup([invoke('r1'), invoke('r2'), exit], {
      lifecycle: { hold: async ({ requestId }) => (events.push(`hold ${requestId}`), outcomes.shift()) },
      afterHold: (outcome, requestId) => void events.push(`afterHold ${String(outcome)} ${requestId}`),
    });
    await run();
    expect(events).toEqual(['next', 'hold r1', 'afterHold settled r1', 'next', 'hold r2', 'afterHold deadline r2', 'next']);
  });

  it('exits at once on a 5xx from next, without a retry, even after transient failures', async () => {
    const { run, events } = setup([reset(), { status: 503, headers: {}, body: 'going' }, invoke('never')]);
    expect(await run()).toEqual({ kind: 'exit-requested', status: 503, body: 'going' });
    expect(events).toEqual(['next', 'sleep 0', 'next']);
  });

  it('fails at once on a 4xx from next: Lambda refused this extension', async () => {
    const refusal = { status: 403, headers: {}, body: '{"errorType":"Extension.InvalidExtensionState","errorMessage":"bad id"}' };
    const { run, events, logger } = setup([refusal, invoke('never')]);
    const outcome = await run();
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 1, error: { name: 'Extension.InvalidExtensionState', status: 403 } });
    expect(events).toEqual(['next']);
    expect(logger.records).toEqual([]);
  });

  it('counts the transient failures before a 4xx in its attempts', async () => {
    const { run } = setup([reset(), reset(), { status: 400, headers: {}, body: 'no' }]);
    expect(await run()).toMatchObject({ kind: 'failed', attempts: 3 });
  });

  it('retries transport errors with the bounded backoff, one WARN each, then fails', async () => {
    const { run, events, logger } = setup([reset(), reset(), reset(), reset(), reset(), invoke('never')]);
    const outcome = await run();
    expect(NEXT_RETRY_DELAYS_MS).toEqual([0, 10, 50, 250]);
    expect(sleeps(events)).toEqual([0, 10, 50, 250]);
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 5, error: { message: 'read ECONNRESET' } });
    expect(logger.records).toHaveLength(4);
    expect(logger.records[3]).toMatchObject({ level: 'WARN', message: 'next failed: polling again', failures: 4, retryInMs: 250, errorType: 'Error', errorMessage: 'read ECONNRESET' });
  });

  it('takes its backoff from the options', async () => {
    const { run, events } = setup([reset(), reset(), invoke('never')], { retryDelaysMs: [7] });
    expect(await run()).toMatchObject({ kind: 'failed', attempts: 2 });
    expect(sleeps(events)).toEqual([7]);
  });

  it('resets the failure count after a successful next', async () => {
    const fourResets = () => [reset(), reset(), reset(), reset()];
    const { run, events, held } = setup([...fourResets(), invoke('r1'), ...fourResets(), invoke('r2'), exit]);
    expect(await run()).toMatchObject({ kind: 'exit-requested' });
    expect(held).toEqual(['r1', 'r2']);
    expect(sleeps(events)).toEqual([0, 10, 50, 250, 0, 10, 50, 250]);
  });

  it.each([
    ['bad JSON', '{"eventType":"INV'],
    ['an unknown eventType', '{"eventType":"RESTORE","requestId":"r0","deadlineMs":99}'],
    ['no requestId', '{"eventType":"INVOKE","deadlineMs":99}'],
    ['no deadlineMs', '{"eventType":"INVOKE","requestId":"r0","deadlineMs":null}'],
  ])('logs a 200 with %s at ERROR and polls again at once, which releases that event', async (_name, body) => {
    const { run, events, held, logger } = setup([{ status: 200, headers: {}, body: body + ' '.repeat(300) }, invoke('r1'), exit]);
    expect(await run()).toMatchObject({ kind: 'exit-requested' });
    expect(held).toEqual(['r1']);
    expect(events).toEqual(['next', 'sleep 0', 'next', 'hold r1', 'next']);
    expect(logger.records.map((r) => r.level)).toEqual(['ERROR']);
    expect(logger.records[0]).toMatchObject({ errorType: 'Extension.InvalidEvent', failures: 1, retryInMs: 0, body: (body + ' '.repeat(300)).slice(0, 200) });
  });

  it('gives up on garbled events that keep coming, like on any transient failure', async () => {
    const garbled = () => ({ status: 200, headers: {}, body: 'nope' });
    const { run } = setup([garbled(), garbled(), garbled(), garbled(), garbled()]);
    expect(await run()).toMatchObject({ kind: 'failed', attempts: 5, error: { name: 'Extension.InvalidEvent', status: 200 } });
  });

  it('logs a hold that rejects or throws at ERROR and keeps polling', async () => {
    let calls = 0;
    const hold = (): Promise<unknown> => {
      calls++;
      if (calls === 1) throw new TypeError('sync boom');
      return Promise.reject(new Error('async boom'));
    };
    const { run, requests, logger } = setup([invoke('r1'), invoke('r2'), exit], { lifecycle: { hold } });
    expect(await run()).toMatchObject({ kind: 'exit-requested' });
    expect(requests).toHaveLength(3);
    expect(logger.records).toMatchObject([
      { level: 'ERROR', requestId: 'r1', errorType: 'TypeError', errorMessage: 'sync boom' },
      { level: 'ERROR', requestId: 'r2', errorType: 'Error', errorMessage: 'async boom' },
    ]);
  });
});

describe('runExtensionLoop over raw HTTP on a loopback socket', () => {
  let sockets: Socket[] = [];
  let close: () => void = () => {};
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    close();
  });

  /** Each connection answers its first request with the next script entry (a function of the socket). */
  async function runtimeApi(script: Array<(socket: Socket) => void>): Promise<string> {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => script.shift()?.(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => server.close();
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const answer = (body: string, status = 200) => (socket: Socket) => socket.write(`HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  it('survives a reset mid-poll, a garbled status line and a bad chunk size', async () => {
    const address = await runtimeApi([
      (socket) => socket.resetAndDestroy(),
      (socket) => socket.write('HTTP/1.1 2OO OK\r\n\r\n'),
      (socket) => socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'),
      answer(invoke('r1').body),
      answer('State transition failed', 500),
    ]);
    const { run, held, events, logger } = setup([], { api: new ExtensionsApi(createRawHttpTransport(connect, address)) });
    expect(await run()).toEqual({ kind: 'exit-requested', status: 500, body: 'State transition failed' });
    expect(held).toEqual(['r1']);
    expect(sleeps(events)).toEqual([0, 10, 50]);
    expect(logger.records.map((r) => r.errorMessage)).toEqual([
      expect.stringMatching(/ECONNRESET/),
      expect.stringMatching(/bad status line/),
      'raw-http: bad chunk size',
    ]);
    expect(sockets).toHaveLength(4);
  });
});
