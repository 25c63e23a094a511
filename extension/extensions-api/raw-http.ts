import type { Socket } from 'node:net';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';

type Connect = (options: { host: string; port: number; noDelay: boolean }) => Socket;

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
  const client = new RawHttpClient(connect, hostPort);
  return (request) => client.request(request);
}

class RawHttpClient {
  readonly #connect: Connect;
  readonly #host: string;
  readonly #port: string;
  #socket: Socket | undefined;
  #pending: Pending | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  /** Requests repeat (`next` every invoke): serialise each request object once. */
  readonly #serialized = new WeakMap<HttpRequest, string>();

  constructor(connect: Connect, hostPort: string) {
    const [host = '127.0.0.1', port = '9001'] = hostPort.split(':');
    this.#connect = connect;
    this.#host = host;
    this.#port = port;
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (this.#pending) return reject(new Error('raw-http: one request at a time'));
      const pending = (this.#pending = { resolve, reject });
      const background = (): void => void (this.#pending === pending && this.#socket?.unref());
      request.urgentUntil?.then(background, background);
      try {
        this.#send(request);
      } catch (error) {
        // A throwing connect (bad port) must not leave #pending set: every later request would
        // then fail with "one request at a time" and the loop could never recover.
        const socket = this.#socket;
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        socket?.destroy();
      }
    });
  }

  #send(request: HttpRequest): void {
    // After a reset, close or garbled answer #socket is undefined: this opens a fresh connection.
    const socket = (this.#socket ??= this.#open());
    // Ref'd while answering is urgent; a background long-poll must not keep the loop alive.
    if (request.background) socket.unref();
    else socket.ref();
    let bytes = this.#serialized.get(request);
    if (bytes === undefined) this.#serialized.set(request, (bytes = serialize(request, this.#host, this.#port)));
    socket.write(bytes);
  }

  #open(): Socket {
    // `noDelay` as an option, not a setNoDelay call: −0.07 M instructions at the cold start's first connect (bench/init-micro.ts --instructions).
    const socket = this.#connect({ host: this.#host, port: Number(this.#port), noDelay: true });
    // Events of a socket already given up on must not touch the current one or its request.
    socket.on('data', (chunk: Buffer) => socket === this.#socket && this.#onData(socket, chunk));
    socket.on('error', (error) => socket === this.#socket && this.#fail(error));
    socket.on('close', () => socket === this.#socket && this.#fail(new Error('the Runtime API closed the connection')));
    return socket;
  }

  #onData(socket: Socket, chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let parsed;
    try {
      parsed = parseResponse(this.#buffer);
    } catch (error) {
      socket.destroy();
      return this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
    const waiting = this.#pending;
    if (!parsed || !waiting) return;
    this.#buffer = this.#buffer.subarray(parsed.consumed);
    this.#pending = undefined;
    if (parsed.close) {
      this.#socket = undefined;
      this.#buffer = Buffer.alloc(0);
      socket.destroy();
    }
    waiting.resolve(parsed.response);
  }

  #fail(error: Error): void {
    this.#socket = undefined;
    this.#buffer = Buffer.alloc(0);
    const waiting = this.#pending;
    this.#pending = undefined;
    waiting?.reject(error);
  }
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
  const head = data.toString('latin1', 0, end);
  const status = statusOf(head);
  if (status === undefined) throw new Error(`raw-http: bad status line ${JSON.stringify(head.slice(0, Math.min(80, lineEnd(head, 0))))}`);
  const headers = headersOf(head);
  const body = readBody(data, end + 4, headers);
  if (!body) return undefined;
  const close = headers.connection?.toLowerCase() === 'close';
  return { response: { status, headers, body: body.text }, consumed: body.end, close };
}

/** `HTTP/1.x NNN …` → NNN, read by character codes (no regex match array: this runs per invoke). */
function statusOf(head: string): number | undefined {
  if (!head.startsWith('HTTP/1.') || (head[7] !== '0' && head[7] !== '1') || head[8] !== ' ') return undefined;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const digit = head.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return undefined;
    status = status * 10 + digit;
  }
  return status;
}

function lineEnd(head: string, from: number): number {
  const end = head.indexOf('\r\n', from);
  return end === -1 ? head.length : end;
}

/**
 * Header lines after the status line, by lower-case name, values trimmed. By index, not
 * `split` and `trim` on each line: ~40% fewer strings per `next` answer.
 */
function headersOf(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let at = lineEnd(head, 0) + 2; at < head.length; ) {
    const end = lineEnd(head, at);
    const colon = head.indexOf(':', at);
    if (colon > at && colon < end) {
      headers[head.slice(at, colon).trim().toLowerCase()] = head.slice(colon + 1, end).trim();
    }
    at = end + 2;
  }
  return headers;
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
