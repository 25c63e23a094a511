// A stand-in for a telemetry backend (OTLP/HTTP collector, Sentry ingest) on loopback: records
// each request's arrival and answer (test-process performance.now()), path and body; optional answer delay.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly at: number;
  /** When the answer was sent (after the delay); undefined until then. */
  answeredAt?: number;
  readonly method: string;
  readonly path: string;
  readonly body: Buffer;
}

export class LoopbackCollector {
  readonly received: Received[] = [];
  #server: Server | undefined;

  /** @param delayMs how long each answer is held back (an exporter's round trip) */
  constructor(private readonly delayMs = 0) {}

  async listen(): Promise<string> {
    const server = (this.#server = createServer((req, res) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received: Received = { at, method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks) };
        this.received.push(received);
        setTimeout(() => {
          received.answeredAt = performance.now();
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, this.delayMs);
      });
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve) ?? resolve(undefined));
  }
}

/** Spans in OTLP/HTTP JSON export bodies (what @opentelemetry/exporter-trace-otlp-http sends). */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
}

export function otlpSpans(received: readonly Received[]): OtlpSpan[] {
  return received.filter((r) => r.path === '/v1/traces').flatMap((r) => {
    const doc = JSON.parse(r.body.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    return doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  });
}
