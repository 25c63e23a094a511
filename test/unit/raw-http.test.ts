import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawHttpTransport } from '../../extension/extensions-api/raw-http.ts';
import { parseResponse, READ_HEADERS } from '../../extension/extensions-api/response-parser.ts';

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

  it('reads an answer larger than its read buffer, over several reads, then the next on the same connection', async () => {
    const big = 'é'.repeat(30_000); // 60 KB of UTF-8, two bytes a character: some reads split one
    const { address, connections } = await httpServer((req, res) => void res.end(req.url === '/big' ? big : 'small'));
    const send = createRawHttpTransport(connect, address);
    expect((await send({ method: 'GET', path: '/big' })).body).toBe(big);
    expect((await send({ method: 'GET', path: '/small' })).body).toBe('small');
    expect(connections()).toBe(1);
  });

  it('parses any answers split into any reads, none of which it keeps a view of (property)', async () => {
    const answer = fc.oneof(
      fc.string({ maxLength: 200 }).map((body) => ({ body, raw: `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nLambda-Extension-Identifier: id-1\r\n\r\n${body}` })),
      fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 4 }).map((parts) => ({ body: parts.join(''), raw: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n` })),
    );
    await fc.assert(fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (answers, cuts) => {
      const socket = new ReadsInPieces(answers.map((a) => Buffer.from(a.raw)), cuts);
      const send = createRawHttpTransport((options) => socket.connected(options.onread), '127.0.0.1:9001');
      for (const { body } of answers) {
        const response = await send({ method: 'GET', path: '/next' });
        expect(response.body).toBe(body);
        expect(response.status).toBe(200);
      }
    }), { numRuns: 200 });
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
    expect(parseResponse(full)).toEqual({ response: { status: 200, headers: { 'content-length': '5' }, body: 'hello' }, consumed: full.length, close: false });
  });

  it('keeps the headers it reads, in any case and spacing, the last of a repeated one; drops the rest', () => {
    const name = fc.oneof(
      fc.constantFrom(...READ_HEADERS, 'content-type', 'lambda-extension-event-identifier', 'content-lengthx', 'connectio', 'date'),
      fc.stringMatching(/^[A-Za-z-]{1,30}$/),
    ).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.boolean(), { minLength: n.length, maxLength: n.length })).map(([lower, upper]) => [...lower].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')));
    const header = fc.record({ name, value: fc.stringMatching(/^[ -~]{0,40}$/), before: fc.constantFrom('', ' ', '\t'), after: fc.constantFrom('', ' ', '  ') });
    fc.assert(fc.property(fc.array(header, { maxLength: 12 }), (lines) => {
      const kept = lines.filter((line) => !['content-length', 'transfer-encoding'].includes(line.name.toLowerCase()));
      const head = kept.map(({ name: n, value, before, after }) => `${before}${n}${after}:${value}`).join('\r\n');
      const raw = Buffer.from(`HTTP/1.1 204 No Content\r\n${head}${head ? '\r\n' : ''}content-length: 0\r\n\r\n`, 'latin1');
      const expected: Record<string, string> = {};
      for (const { name: n, value } of kept) if ((READ_HEADERS as readonly string[]).includes(n.toLowerCase())) expected[n.toLowerCase()] = value.trim();
      expected['content-length'] = '0';
      const parsed = parseResponse(raw);
      expect(parsed?.response.headers).toEqual(expected);
      expect(parsed?.consumed).toBe(raw.length);
    }));
  });

  it('names a bad status line by its first line, at most 80 characters', () => {
    expect(() => parseResponse(Buffer.from('HTTP/2 200\r\nx: y\r\n\r\n'))).toThrow('raw-http: bad status line "HTTP/2 200"');
    expect(() => parseResponse(Buffer.from(`${'a'.repeat(100)}\r\n\r\n`))).toThrow(`raw-http: bad status line "${'a'.repeat(80)}"`);
    expect(() => parseResponse(Buffer.from('HTTP/1.1 2x0 OK\r\n\r\n'))).toThrow('bad status line "HTTP/1.1 2x0 OK"');
  });

  it('reads chunked bodies with trailers', () => {
    const raw = Buffer.from('HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n');
    expect(parseResponse(raw)?.response).toEqual({ status: 500, headers: { 'transfer-encoding': 'chunked' }, body: 'abcde' });
    expect(parseResponse(raw)?.consumed).toBe(raw.length);
  });
});

/**
 * A socket double for the `onread` path: each write is answered by the next answer, delivered into
 * the client's read buffer in pieces of the sizes `cuts` gives in turn; after each piece the buffer
 * is overwritten with garbage, as the next read would, so a view the client kept would show it.
 */
class ReadsInPieces extends EventEmitter {
  #onread: { buffer: Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean } | undefined;
  #cut = 0;
  constructor(private readonly answers: Buffer[], private readonly cuts: number[]) {
    super();
  }

  connected(onread: { buffer: Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean }): Socket {
    this.#onread = onread;
    return this as unknown as Socket;
  }

  write(): boolean {
    const answer = this.answers.shift();
    const onread = this.#onread;
    if (!answer || !onread) throw new Error('ReadsInPieces: no answer left');
    setImmediate(() => {
      for (let at = 0; at < answer.length; ) {
        const size = Math.min(this.cuts[this.#cut++ % this.cuts.length] ?? 1, answer.length - at, onread.buffer.length);
        onread.buffer.set(answer.subarray(at, at + size));
        at += size;
        onread.callback(size, onread.buffer);
        onread.buffer.fill(0x7e);
      }
    });
    return true;
  }

  ref(): this { return this; }
  unref(): this { return this; }
  destroy(): this { return this; }
}
