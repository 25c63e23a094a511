// Several invokes at once, for RIE's Managed Instances mode. Each carries its own request id
// (X-Amzn-RequestId, which that mode adopts), so its facts come from the calls bearing that id.
import { randomUUID } from 'node:crypto';
import { postInvoke } from './invoke-http.ts';
import { requestFacts } from './invoke-result.ts';
import type { ApiCall, ConcurrentInvokeResult, SandboxOptions } from './types.ts';

export interface ConcurrentTarget {
  invokePort: number;
  calls: () => ApiCall[]; // the recording proxy's calls, read live
}

/** Why a sandbox started with `opts` cannot take concurrent invokes; undefined if it can. */
export function concurrencyRefusal(opts: SandboxOptions): string | undefined {
  if (opts.freeze ?? true) {
    return 'invokeConcurrently needs freeze: false (freeze emulation stops the environment between invokes)';
  }
  if (opts.env?.AWS_LAMBDA_MAX_CONCURRENCY === undefined) {
    return 'invokeConcurrently needs AWS_LAMBDA_MAX_CONCURRENCY in env (RIE otherwise serves one invoke at a time and crashes on a second)';
  }
  return undefined;
}

export interface ConcurrentOptions {
  timeoutMs: number;
  idleRuntimes: number; // runtime `next` calls to wait for before sending
  readyWithinMs: number;
  whenUnavailable: 'retry' | 'refused';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * In this mode RIE initialises eagerly, RIC's workers come up one by one, and an invoke that
 * finds no runtime waiting in `next` is answered 400 Runtime.Unavailable at once: so wait
 * (bounded; then send anyway) until `count` runtime `next` calls are pending at the proxy.
 */
async function untilIdleRuntimes(calls: () => ApiCall[], count: number, ms: number): Promise<void> {
  const idle = (): number => calls().filter((c) => c.kind === 'runtime-next' && Number.isNaN(c.endedAt) && c.fault === undefined).length;
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && idle() < count) await sleep(10);
  await sleep(20); // the proxy records a `next` on arrival: let it reach RIE too
}

type Sent = Omit<ConcurrentInvokeResult, 'calls' | 'deliveredAt' | 'responsePostedAt' | 'errorPostedAt'>;

const unavailable = (r: { status: number; headers: Record<string, string> }): boolean => r.status === 400 && r.headers['error-type'] === 'Runtime.Unavailable';

/**
 * One invoke; with `retryUntil`, one RIE refused as Runtime.Unavailable is sent again (it reached
 * no runtime: seen under CI load, 2 of 4 refused after the proxy had seen 4 runtimes' `next`).
 */
async function invokeOne(port: number, payload: unknown, timeoutMs: number, retryUntil?: number): Promise<Sent> {
  const requestId = randomUUID();
  const send = () => postInvoke(port, JSON.stringify(payload ?? null), timeoutMs, { 'x-amzn-requestid': requestId });
  let startedAt = performance.now();
  let response = await send();
  while (retryUntil !== undefined && unavailable(response) && performance.now() < retryUntil) {
    await sleep(20);
    startedAt = performance.now();
    response = await send();
  }
  const returnedAt = performance.now();
  const json = (): unknown => JSON.parse(response.body);
  return { ...response, json, requestId, startedAt, returnedAt, durationMs: returnedAt - startedAt };
}

/**
 * RIE may answer the invoke a moment before the proxy has relayed its answer to the runtime's
 * `POST …/response`; waits (bounded) until no such call of these requests is still in flight.
 */
async function untilPostsEnded(calls: () => ApiCall[], ids: Set<string>, ms: number): Promise<void> {
  const posting = (c: ApiCall): boolean =>
    (c.kind === 'runtime-response' || c.kind === 'runtime-error') && ids.has(c.requestId ?? '') && Number.isNaN(c.endedAt);
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && calls().some(posting)) await sleep(5);
}

export async function invokeAll(target: ConcurrentTarget, payloads: unknown[], o: ConcurrentOptions): Promise<ConcurrentInvokeResult[]> {
  await untilIdleRuntimes(target.calls, o.idleRuntimes, o.readyWithinMs);
  const retryUntil = o.whenUnavailable === 'retry' ? performance.now() + o.readyWithinMs : undefined;
  const sent = await Promise.all(payloads.map((p) => invokeOne(target.invokePort, p, o.timeoutMs, retryUntil)));
  await untilPostsEnded(target.calls, new Set(sent.map((s) => s.requestId)), 1000);
  const calls = target.calls();
  return sent.map((s) => ({ ...s, ...requestFacts(calls, s.requestId) }));
}
