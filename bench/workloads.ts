// The two workloads figures 1 and 6 run, each with its baseline: `trivial` (the layer's code is
// the only hot code in the process) and `realistic` (test/fixtures/bench/realistic-work.mjs: a
// 10 KB JSON event parsed, validated and hashed, a loopback HTTP call with `fetch`, a 5 KB
// response, ten jobs of the same kind). The realistic one needs the loopback service below.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import type { FunctionSpec } from './sandboxes.ts';

export type Workload = 'trivial' | 'realistic';
export const WORKLOADS: readonly Workload[] = ['trivial', 'realistic'];

export interface WorkloadFunctions {
  /** Figure 1: the cold start's function with the layer, its baseline, and with the floor layer (floor-layer.ts). */
  readonly cold: { readonly with: FunctionSpec; readonly without: FunctionSpec; readonly floor: FunctionSpec };
  /** Figure 6: ten jobs per invoke with the layer, the same work without it, and with the floor layer (no jobs: it cannot run them). */
  readonly memory: { readonly with: FunctionSpec; readonly without: FunctionSpec; readonly floor: FunctionSpec };
  /** The event every invoke sends (figure 6's `measure` invokes excepted). */
  readonly event: unknown;
}

/** An order of 60 items, ~10 KB of JSON, as the body of an API Gateway (HTTP API) event. */
export function orderEvent(): unknown {
  const items = Array.from({ length: 60 }, (_, i) => ({
    sku: `SKU-${String(100_000 + i * 7919)}`, qty: 1 + (i % 5), price: Math.round((3.5 + i * 1.25) * 100) / 100,
    title: `Item ${String(i)}: a product with a description long enough to look like a catalogue line`,
  }));
  const body = JSON.stringify({ id: 'order-0001', customer: { email: 'buyer@example.com', tier: 'gold' }, currency: 'EUR', items });
  return { version: '2.0', routeKey: 'POST /orders', rawPath: '/orders', headers: { 'content-type': 'application/json' }, body, isBase64Encoded: false };
}

export function workloadFunctions(workload: Workload, serviceUrl: string): WorkloadFunctions {
  if (workload === 'trivial') {
    return {
      cold: { with: { handler: 'noop-client.handler', layer: true }, without: { handler: 'noop.handler', layer: false }, floor: { handler: 'noop-floor.handler', layer: 'floor' } },
      memory: { with: { handler: 'memory-layer.handler', layer: true }, without: { handler: 'memory-bare.handler', layer: false }, floor: { handler: 'memory-floor.handler', layer: 'floor' } },
      event: {},
    };
  }
  const env = { BENCH_SERVICE_URL: serviceUrl };
  const layer: FunctionSpec = { handler: 'realistic-layer.handler', layer: true, env };
  const bare: FunctionSpec = { handler: 'realistic-bare.handler', layer: false, env };
  const floor: FunctionSpec = { handler: 'realistic-floor.handler', layer: 'floor', env };
  return { cold: { with: layer, without: bare, floor }, memory: { with: layer, without: bare, floor }, event: orderEvent() };
}

/** The realistic workload's HTTP service on loopback: answers every POST with a small JSON quote. */
export class LoopbackService {
  #server: Server | undefined;
  requests = 0;

  async listen(): Promise<string> {
    const server = (this.#server = createServer((req, res) => {
      this.requests++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"price":42.5,"currency":"EUR","valid":true}'));
    }));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve) ?? resolve(undefined));
  }
}

/** The machine's load average (1, 5, 15 min), printed with the figures: the machine is shared. */
export const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');
