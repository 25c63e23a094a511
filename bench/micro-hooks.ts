// Micro-benchmarks of per-invoke costs (run directly with node ≥ 22.18, which strips types): the
// async-context capture per enqueued job function (AlsContext.capture: AsyncLocalStorage.snapshot
// at enqueue, re-entered when it runs), the EMF line per invoke (built and written synchronously to
// stdout, here redirected), and the attribution of a request reaching one of the function's HTTP
// servers (server-requests.ts: the http.server.request.start message Node builds once anyone
// subscribes, and the extension entering the invoke in progress).
//   node bench/micro-hooks.ts > /dev/null   (the figures go to stderr)
import { writeSync } from 'node:fs';
import { emfLine } from '../extension/reporting/emf-metrics.ts';
import { AlsContext } from '../extension/runtime-hooks/als-context.ts';
import type { InvokeSummary } from '../extension/core/invoke.ts';
import { Lifecycle } from '../extension/core/lifecycle.ts';
import { attributeServerRequests } from '../extension/runtime-hooks/server-requests.ts';

const N = 200_000;
const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** µs per iteration of `body`, median of ROUNDS rounds of N. */
function perOp(body: (i: number) => void): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) body(i);
    rounds.push(((performance.now() - t) * 1000) / N);
  }
  return median(rounds);
}

const context = new AlsContext();
const job = (n: number): number => n + 1;
let sink = 0;
const plainCall = perOp((i) => void (sink += job(i)));
// Inside two other stores, as in a handler traced by OpenTelemetry (its context manager is one).
const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks');
const [spans, invokes] = [new AsyncLocalStorage<string>(), new AsyncLocalStorage<string>()];
const [capture, capturedCall] = invokes.run('invoke', () => spans.run('span', () => {
  const captured = context.capture(job);
  return [perOp(() => void context.capture(job)), perOp((i) => void (sink += captured(i)))];
}));

const summary: InvokeSummary = { requestId: '8f5c3a1e-7d0b-4b2e-9a61-3f0c2d9e4b17', outcome: 'settled', stats: { enqueued: 3, started: 3, succeeded: 3, failed: 0, abandoned: 0, neverStarted: 0 }, flushStats: undefined, responseToReleaseMs: 12.345, releasedAtMs: Date.now() };
const options = { namespace: 'LambdaAfterResponse', functionName: 'orders-api' };
const build = perOp(() => void (sink += emfLine(summary, options).length));
const write = perOp(() => void process.stdout.write(emfLine(summary, options)));

// A request as Node publishes it (_http_server.js builds this object only when someone subscribed).
const channels = process.getBuiltinModule('node:diagnostics_channel');
const requestStart = channels.channel('http.server.request.start');
const noSubscriber = perOp((i) => void (requestStart.hasSubscribers && requestStart.publish({ request: i, response: i, socket: i, server: i })));
const lifecycle = new Lifecycle({ context: new AlsContext(), defer: setImmediate, concurrency: Infinity, marginMs: 500, graceMs: 250, fallbackIdleMs: 100, logger: { enabled: () => false, log: () => undefined }, setTimer: () => () => undefined, clock: { wallNow: Date.now, monoNow: Date.now } });
lifecycle.registered();
lifecycle.observed();
lifecycle.detach(() => lifecycle.invokeStarted('8f5c3a1e-7d0b-4b2e-9a61-3f0c2d9e4b17', Date.now() + 60_000));
attributeServerRequests(channels, () => lifecycle.serverRequest(), (_hook, body) => body());
const attributed = perOp((i) => void (requestStart.hasSubscribers && requestStart.publish({ request: i, response: i, socket: i, server: i })));

const line = (text: string): void => void writeSync(2, `${text}\n`);
line(`node ${process.version}, median of ${ROUNDS} rounds of ${N.toLocaleString('en')}`);
line(`capture at enqueue (inside two AsyncLocalStorage stores): ${capture.toFixed(3)} µs per job function`);
line(`running a captured job: ${(capturedCall - plainCall).toFixed(3)} µs more than a plain call (${capturedCall.toFixed(3)} vs ${plainCall.toFixed(3)} µs)`);
line(`EMF line: build ${build.toFixed(2)} µs, build + synchronous stdout write ${write.toFixed(2)} µs per invoke with jobs`);
line(`HTTP server request attribution: ${(attributed - noSubscriber).toFixed(3)} µs per request (${attributed.toFixed(3)} vs ${noSubscriber.toFixed(3)} µs without a subscriber)`);
if (sink === 0) line('');
