import type { Socket } from 'node:net';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';
import { parseResponse } from './response-parser.ts';

/** `net.connect`'s options as used here: `onread` reads into one buffer the client reuses (no 'data' events). */
type Connect = (options: { host: string; port: number; noDelay: boolean; onread: { buffer: Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean } }) => Socket;

/**
 * The size of the buffer every read lands in, reused: an answer of Lambda's (a `next` event,
 * ~0.3–1 KB) fits in one read. Reads through `onread` skip the stream's chunk objects, its `data`
 * event and its per-read `nextTick`: 1.1 KB of allocation per invoke less on nodejs22.x
 * (bench/alloc-sampling.ts, 2,000 invokes). One buffer per process.
 */
const READ_BUFFER_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

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
  /** Bytes of an answer not yet complete, copied out of the read buffer (empty between answers). */
  #buffer: Buffer = EMPTY;
  /** Where reads land, made at the first connection and kept for later ones (each read is consumed, or copied, before the next). */
  #readBuffer: Buffer | undefined;
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
    const buffer = (this.#readBuffer ??= Buffer.alloc(READ_BUFFER_BYTES));
    // Events and reads of a socket already given up on must not touch the current one or its request.
    const onread = {
      buffer,
      callback: (bytes: number): boolean => {
        if (socket === this.#socket) this.#onData(socket, buffer.subarray(0, bytes));
        return true; // false would pause reading
      },
    };
    // `noDelay` as an option, not a setNoDelay call: −0.07 M instructions at the cold start's first connect (bench/init-micro.ts --instructions).
    const socket = this.#connect({ host: this.#host, port: Number(this.#port), noDelay: true, onread });
    socket.on('error', (error) => socket === this.#socket && this.#fail(error));
    socket.on('close', () => socket === this.#socket && this.#fail(new Error('the Runtime API closed the connection')));
    return socket;
  }

  /** `read`: a view of the read buffer, overwritten by the next read; what must outlive it is copied. */
  #onData(socket: Socket, read: Buffer): void {
    const data = this.#buffer.length === 0 ? read : Buffer.concat([this.#buffer, read]);
    let parsed;
    try {
      parsed = parseResponse(data);
    } catch (error) {
      socket.destroy();
      return this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
    const waiting = this.#pending;
    if (!parsed || !waiting) return void (this.#buffer = data === read ? Buffer.from(read) : data);
    this.#buffer = parsed.consumed === data.length ? EMPTY : Buffer.from(data.subarray(parsed.consumed));
    this.#pending = undefined;
    if (parsed.close) {
      this.#socket = undefined;
      this.#buffer = EMPTY;
      socket.destroy();
    }
    waiting.resolve(parsed.response);
  }

  #fail(error: Error): void {
    this.#socket = undefined;
    this.#buffer = EMPTY;
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
