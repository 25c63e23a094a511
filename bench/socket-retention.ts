// Memory retained per finished socket connection, with real Unix sockets, in each mode the socket
// runs in: held, and the unheld modes where socket jobs join the request id `-` set (registration
// refused, the extension loop stopped, no Runtime API). Each connection opens one job, finishes it
// and closes, as `after-response-hold` does. Run directly with node ≥ 22.18 (it strips types):
//   node --expose-gc bench/socket-retention.ts [connections per checkpoint, default 3000]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { openFinishClose } from '../test/rig/socket-peer.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../shared/log-line.ts';
import { Lifecycle } from '../extension/core/lifecycle.ts';
import { listenOnSocket } from '../extension/socket/socket-server.ts';
import { AlsContext } from '../extension/runtime-hooks/als-context.ts';

type Mode = 'held' | 'registration-failed' | 'loop-stopped' | 'no-runtime-api';
const MODES: readonly Mode[] = ['held', 'registration-failed', 'loop-stopped', 'no-runtime-api'];
const PER_CHECKPOINT = Number(process.argv[2] ?? 3000);
const WARM = 300;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const timer = (run: () => void, ms: number): (() => void) => {
  const t = setTimeout(run, ms);
  t.unref();
  return () => clearTimeout(t);
};
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heapMb(): Promise<number> {
  await settle(20);
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

function lifecycleIn(mode: Mode): Lifecycle {
  const logger = createLogger({ level: 'ERROR', write: () => undefined });
  const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate, concurrency: Infinity, marginMs: 500, graceMs: 250, fallbackIdleMs: 100, logger, setTimer: timer, clock: { wallNow: Date.now, monoNow: () => performance.now() } });
  tracker.observed();
  if (mode === 'registration-failed' || mode === 'no-runtime-api') tracker.runUnheld(mode);
  else tracker.registered();
  if (mode === 'loop-stopped') tracker.loopStopped();
  return tracker;
}

/** One child: open, finish when told the id, close; in held mode inside an invoke the runtime then ends. */
async function oneChild(tracker: Lifecycle, path: string, mode: Mode, n: number): Promise<void> {
  const requestId = `r${n}`;
  if (mode === 'held') {
    tracker.detach(() => tracker.invokeStarted(requestId, Date.now() + 60_000));
    void tracker.hold({ requestId, deadlineMs: Date.now() + 60_000 });
  }
  await openFinishClose(path);
  if (mode === 'held') tracker.detach(() => (tracker.responsePosted(requestId, 'returned'), tracker.runtimeNext()));
}

async function measure(mode: Mode): Promise<string> {
  const tracker = lifecycleIn(mode);
  const path = join(mkdtempSync(join(tmpdir(), 'after-response-retention-')), 's.sock');
  const logger = createLogger({ level: 'ERROR', write: () => undefined });
  const server = tracker.detach(() => listenOnSocket({ path, lifecycle: tracker, logger, claim: () => undefined, graceMs: 250, setTimer: timer, system: { createServer, rmSync, chmodSync, umask: (m) => process.umask(m) } }));
  if (!server) throw new Error('the socket did not start');
  await new Promise((resolve) => server.once('listening', resolve));
  let n = 0;
  for (; n < WARM; n++) await oneChild(tracker, path, mode, n);
  const heaps = [await heapMb()];
  for (let checkpoint = 0; checkpoint < 2; checkpoint++) {
    for (let i = 0; i < PER_CHECKPOINT; i++) await oneChild(tracker, path, mode, n++);
    heaps.push(await heapMb());
  }
  server.close();
  const perConnection = heaps.slice(1).map((heap, i) => (((heap - (heaps[i] ?? NaN)) * 1e6) / PER_CHECKPOINT / 1024).toFixed(2));
  return `| ${mode} | ${heaps.map((h) => h.toFixed(2)).join(' → ')} | ${perConnection.join(', ')} |`;
}

console.log(`Node ${process.version}: heap used after GC (MB) after ${WARM} warm-up connections, then every ${PER_CHECKPOINT}; KB retained per connection in each interval`);
console.log('| mode | heap MB | KB per connection |\n|---|---|---|');
for (const mode of MODES) console.log(await measure(mode));
