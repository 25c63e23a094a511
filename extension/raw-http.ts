import type { Socket } from 'node:net';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';

type Connect = (options: { host: string; port: number }) => Socket;

interface Pending {
  readonly resolve: (response: HttpResponse) => void;
  readonly reject: (error: Error) => void;
}

/**
 * HTTP/1.1 over one kept-alive `net` socket, one request at a time (the extension never has two
 * in flight). `node:http` allocates a request, a response and a parser per call; this writes one
 * buffer and parses the few bytes Lambda answers, which halves the release latency and keeps the
 * runtime's memory flat. No timeouts: the `next` long-poll may block for hours.
 */
export function createRawHttpTransport(connect: Connect, hostPort: string): HttpTransport {
  const [host = '127.0.0.1', port = '9001'] = hostPort.split(':');
  let socket: Socket | undefined;
  let pending: Pending | undefined;
  let buffer: Buffer = Buffer.alloc(0);

  const fail = (error: Error): void => {
    socket = undefined;
    buffer = Buffer.alloc(0);
    const waiting = pending;
    pending = undefined;
    waiting?.reject(error);
  };
  const open = (): Socket => {
    const fresh = connect({ host, port: Number(port) });
    fresh.setNoDelay(true);
    fresh.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      let parsed;
      try {
        parsed = parseResponse(buffer);
      } catch (error) {
        fresh.destroy();
        return fail(error instanceof Error ? error : new Error(String(error)));
      }
      if (!parsed || !pending) return;
      buffer = buffer.subarray(parsed.consumed);
      const waiting = pending;
      pending = undefined;
      if (parsed.close) {
        socket = undefined;
        buffer = Buffer.alloc(0);
        fresh.destroy();
      }
      waiting.resolve(parsed.response);
    });
    fresh.on('error', (error) => fail(error));
    fresh.on('close', () => socket === fresh && fail(new Error('the Runtime API closed the connection')));
    return fresh;
  };

  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (pending) return reject(new Error('raw-http: one request at a time'));
      pending = { resolve, reject };
      socket ??= open();
      // Ref'd while answering is urgent; a background long-poll must not keep the loop alive.
      if (request.background) socket.unref();
      else socket.ref();
      socket.write(serialize(request, host, port));
    });
}

function serialize(request: HttpRequest, host: string, port: string): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
  if (request.body === undefined) return `${head}\r\n`;
  return `${head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
}

/** Parses one complete response at the start of `data`, or returns undefined if more is needed. */
export function parseResponse(data: Buffer): { response: HttpResponse; consumed: number; close: boolean } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  if (!Number.isFinite(status)) throw new Error(`raw-http: bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = readBody(data, end + 4, headers);
  if (!body) return undefined;
  const close = headers.connection?.toLowerCase() === 'close';
  return { response: { status, headers, body: body.text }, consumed: body.end, close };
}

function readBody(data: Buffer, start: number, headers: Record<string, string>): { text: string; end: number } | undefined {
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) return readChunked(data, start);
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < start + length) return undefined;
  return { text: data.subarray(start, start + length).toString('utf8'), end: start + length };
}

function readChunked(data: Buffer, start: number): { text: string; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('raw-http: bad chunk size');
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd === -1 ? undefined : { text: Buffer.concat(parts).toString('utf8'), end: trailerEnd + 4 };
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
