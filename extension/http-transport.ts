import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A long-poll that must not keep the event loop alive (see createHttpTransport). @default false */
  readonly background?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends one request to the Runtime API; injected so units test without a server. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

interface HttpModule {
  readonly Agent: new (options: { keepAlive: boolean; maxSockets: number }) => Agent;
  readonly request: (options: RequestOptions, callback: (response: IncomingMessage) => void) => ClientRequest;
}

/**
 * `node:http` with one kept-alive socket and no timeouts: the `next` long-poll may block for
 * hours (undici's 300 s headersTimeout breaks it). A background poll's socket is unref'd so it
 * never keeps the loop alive (RIC 3's callback handlers answer on an empty event loop).
 */
export function createHttpTransport(http: HttpModule, hostPort: string): HttpTransport {
  const [host = '127.0.0.1', port = '9001'] = hostPort.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (request) =>
    new Promise((resolve, reject) => {
      const headers = { ...request.headers, ...(request.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(request.body)) }) };
      const req = http.request({ host, port: Number(port), agent, method: request.method, path: request.path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      if (request.background) req.on('socket', (socket) => socket.unref());
      req.on('error', reject);
      req.end(request.body);
    });
}
