import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawHttpTransport, parseResponse } from '../../extension/extensions-api/raw-http.ts';

let servers: Array<{ close(): unknown }> = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ address: string; server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => (server.closeAllConnections(), server.close()) });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

describe('createRawHttpTransport', () => {
  it('connects with Nagle off (`noDelay`, an option of the connect: no setNoDelay call after it)', async () => {
    const { address } = await httpServer((_req, res) => void res.end('{}'));
    const seen: unknown[] = [];
    const send = createRawHttpTransport((options) => {
      seen.push(options);
      return connect(options);
    }, address);
    await send({ method: 'GET', path: '/x' });
    expect(seen).toEqual([expect.objectContaining({ noDelay: true })]);
  });

  it('sends method, path, headers and body, and reads status, headers and body', async () => {
    const { address } = await httpServer((req, res, body) => {
      res.setHeader('lambda-extension-identifier', 'ext-1');
      res.end(JSON.stringify({ method: req.method, url: req.url, name: req.headers['lambda-extension-name'], type: req.headers['content-type'], body }));
    });
    const send = createRawHttpTransport(connect, address);
    const response = await send({ method: 'POST', path: '/2020-01-01/extension/register', headers: { 'lambda-extension-name': 'x' }, body: '{"events":["INVOKE"]}' });
    expect(response.status).toBe(200);
    expect(response.headers['lambda-extension-identifier']).toBe('ext-1');
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', url: '/2020-01-01/extension/register', name: 'x', type: 'application/json', body: '{"events":["INVOKE"]}' });
  });

  it('reuses one connection for successive requests, including chunked answers', async () => {
    let n = 0;
    const { address, connections } = await httpServer((_req, res) => {
      n++;
      if (n % 2 === 0) {
        res.write('{"part":');
        res.end(`${n}}`);
      } else res.end(JSON.stringify({ part: n }));
    });
    const send = createRawHttpTransport(connect, address);
    const bodies: unknown[] = [];
    for (let i = 0; i < 5; i++) bodies.push(JSON.parse((await send({ method: 'GET', path: '/next' })).body));
    expect(bodies).toEqual([1, 2, 3, 4, 5].map((part) => ({ part })));
    expect(connections()).toBe(1);
  });

  it('reconnects after the server closed the connection', async () => {
    const { address, connections } = await httpServer((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const send = createRawHttpTransport(connect, address);
    expect((await send({ method: 'GET', path: '/a' })).body).toBe('bye');
    expect((await send({ method: 'GET', path: '/b' })).body).toBe('bye');
    expect(connections()).toBe(2);
  });

  it('rejects, instead of hanging, when the connection is refused or drops mid-request', async () => {
    const refused = createRawHttpTransport(connect, '127.0.0.1:1');
    await expect(refused({ method: 'GET', path: '/' })).rejects.toThrow(/ECONNREFUSED/);
    const dropping = createNetServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    servers.push(dropping);
    const send = createRawHttpTransport(connect, `127.0.0.1:${(dropping.address() as AddressInfo).port}`);
    await expect(send({ method: 'GET', path: '/' })).rejects.toThrow('closed the connection');
  });

  it('rejects a garbled answer instead of throwing inside the socket handler', async () => {
    const garbling = createNetServer((socket) => socket.once('data', () => socket.write('NOT HTTP\r\n\r\n')));
    await new Promise<void>((resolve) => garbling.listen(0, '127.0.0.1', resolve));
    servers.push(garbling);
    const send = createRawHttpTransport(connect, `127.0.0.1:${(garbling.address() as AddressInfo).port}`);
    await expect(send({ method: 'GET', path: '/' })).rejects.toThrow('bad status line');
  });

  it('opens a fresh connection for the next request after a reset mid-poll', async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      const first = ++connections === 1;
      socket.once('data', () => (first ? socket.resetAndDestroy() : socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const send = createRawHttpTransport(connect, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    await expect(send({ method: 'GET', path: '/next', background: true })).rejects.toThrow(/ECONNRESET/);
    expect((await send({ method: 'GET', path: '/next', background: true })).body).toBe('ok');
    expect(connections).toBe(2);
  });

  it('answers the request after a garbled answer on a fresh connection', async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      const first = ++connections === 1;
      socket.once('data', () => socket.write(first ? 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n' : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => server.close() });
    const send = createRawHttpTransport(connect, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    await expect(send({ method: 'GET', path: '/' })).rejects.toThrow('bad chunk size');
    expect((await send({ method: 'GET', path: '/' })).body).toBe('ok');
    expect(connections).toBe(2);
  });

  it('is not wedged by a connect that throws', async () => {
    const { address } = await httpServer((_req, res) => res.end('ok'));
    let calls = 0;
    const flaky = (options: { host: string; port: number }): Socket => {
      if (++calls === 1) throw new RangeError('bad port');
      return connect(options);
    };
    const send = createRawHttpTransport(flaky, address);
    await expect(send({ method: 'GET', path: '/' })).rejects.toThrow('bad port');
    expect((await send({ method: 'GET', path: '/' })).body).toBe('ok');
  });
});

describe('parseResponse', () => {
  it('waits for a complete response, byte by byte', () => {
    const full = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello');
    for (let i = 0; i < full.length; i++) expect(parseResponse(full.subarray(0, i))).toBeUndefined();
    expect(parseResponse(full)).toEqual({ response: { status: 200, headers: { 'content-length': '5', 'x-a': 'b' }, body: 'hello' }, consumed: full.length, close: false });
  });

  it('reads chunked bodies with trailers', () => {
    const raw = Buffer.from('HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n');
    expect(parseResponse(raw)?.response).toEqual({ status: 500, headers: { 'transfer-encoding': 'chunked' }, body: 'abcde' });
    expect(parseResponse(raw)?.consumed).toBe(raw.length);
  });
});
