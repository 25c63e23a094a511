// The rig's recording proxy passes bodies, chunked bodies and trailers through, records calls
// and applies fault rules; checked against a stand-in upstream server.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingProxy } from '../rig/recording-proxy.ts';
import type { FaultRule } from '../rig/types.ts';

interface Seen {
  path: string;
  body: string;
  trailers: Record<string, string | undefined>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function upstream(seen: Seen[]): Promise<number> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), trailers: { ...req.trailers } });
      if (req.url === '/2018-06-01/runtime/invocation/next') {
        res.writeHead(200, { 'content-type': 'application/json', 'lambda-runtime-aws-request-id': 'req-1' });
        res.end('{"n":1}');
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json', trailer: 'x-up-trailer' });
      res.write('{"status":');
      res.addTrailers({ 'x-up-trailer': 'yes' });
      res.end('"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function proxyTo(seen: Seen[], faults: FaultRule[] = []): Promise<RecordingProxy> {
  const proxy = await RecordingProxy.start(await upstream(seen), faults);
  closers.unshift(() => proxy.close());
  return proxy;
}

function send(port: number, method: string, path: string, chunks: string[], trailers?: Record<string, string>) {
  return new Promise<{ status: number; body: string; res: IncomingMessage }>((resolve, reject) => {
    const headers: Record<string, string> = trailers ? { trailer: Object.keys(trailers).join(', ') } : {};
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
    });
    req.on('error', reject);
    if (method === 'POST') req.setHeader('transfer-encoding', 'chunked');
    for (const c of chunks) req.write(c);
    if (trailers) req.addTrailers(trailers);
    req.end();
  });
}

describe('the rig recording proxy', () => {
  it('passes a chunked body and its trailers both ways and records the call with its request id', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen);
    const path = '/2018-06-01/runtime/invocation/req-1/response';
    const trailer = { 'lambda-runtime-function-error-type': 'Boom' };
    const reply = await send(proxy.port, 'POST', path, ['part1-', 'part2'], trailer);
    expect(seen[0]).toEqual({ path, body: 'part1-part2', trailers: trailer });
    expect(reply).toMatchObject({ status: 202, body: '{"status":"OK"}' });
    expect(reply.res.trailers).toEqual({ 'x-up-trailer': 'yes' });
    expect(proxy.calls).toMatchObject([{ kind: 'runtime-response', requestId: 'req-1', status: 202 }]);
    expect(proxy.calls[0]?.endedAt).toBeGreaterThanOrEqual(proxy.calls[0]?.startedAt ?? Infinity);
  });

  it('takes the request id of a runtime next from the response header', async () => {
    const proxy = await proxyTo([]);
    const reply = await send(proxy.port, 'GET', '/2018-06-01/runtime/invocation/next', []);
    expect(reply.body).toBe('{"n":1}');
    expect(proxy.calls).toMatchObject([{ kind: 'runtime-next', requestId: 'req-1', status: 200 }]);
  });

  it('delays a matching call by the fault delay before forwarding it', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /\/response$/, action: { kind: 'delay', ms: 300 } }]);
    const started = performance.now();
    await send(proxy.port, 'POST', '/2018-06-01/runtime/invocation/r/response', ['x']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(seen).toHaveLength(1);
    expect(proxy.calls[0]?.fault).toBe('delay');
  });

  it('answers a matching call with the fault status without forwarding it, only `times` times', async () => {
    const seen: Seen[] = [];
    const rule: FaultRule = { path: /\/response$/, method: 'POST', action: { kind: 'status', status: 500, body: '{}' }, times: 1 };
    const proxy = await proxyTo(seen, [rule]);
    const path = '/2018-06-01/runtime/invocation/r/response';
    expect((await send(proxy.port, 'POST', path, ['x'])).status).toBe(500);
    expect(seen).toHaveLength(0);
    expect((await send(proxy.port, 'POST', path, ['x'])).status).toBe(202);
    expect(seen).toHaveLength(1);
  });

  it('drops the connection of a matching call', async () => {
    const proxy = await proxyTo([], [{ path: /next$/, action: { kind: 'drop' } }]);
    await expect(send(proxy.port, 'GET', '/2018-06-01/runtime/invocation/next', [])).rejects.toThrow();
    expect(proxy.calls[0]?.fault).toBe('drop');
  });
});
