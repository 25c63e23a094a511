import { describeError, type Logger } from '../../shared/log-line.ts';
import { SOCKET_ENV } from '../../shared/socket-wire.ts';
import type { ExternalJob } from '../core/external-job.ts';
import type { SocketParts } from './socket-parts.ts';
import type { Reservations } from './spawn-reservations.ts';

export interface SocketStartOptions {
  readonly lifecycle: { openExternal(name: string): ExternalJob };
  readonly logger: Logger;
  readonly env: Record<string, string | undefined>;
  readonly pid: number;
  /**
   * The grace the extension gives jobs between the deadline abort and the release; sent as is
   * in the abort event (`after-response-hold` sends SIGKILL at three quarters of it).
   */
  readonly graceMs: number;
  /**
   * Runs `fn` outside the caller's async context. The server is created and bound inside the
   * function's first `spawn`, and its connection callbacks would otherwise inherit the
   * AsyncLocalStorage stores of whichever handler happened to spawn first (its request id, for
   * every later invoke). The core passes e.g. `(fn) => storage.exit(fn)`.
   * @default runs `fn` as is
   */
  readonly detach?: <T>(fn: () => T) => T;
  /**
   * Loads socket-parts.ts, synchronously (the bind happens inside `spawn`), once, at the first
   * child or worker thread. The layer requires its separate build; tests pass the module itself.
   * May throw: the socket is then off and spawning unhooked, each said in one ERROR.
   */
  readonly loadParts: () => SocketParts;
}

export interface SocketStarter {
  readonly path: string;
}

/**
 * Exports the path at once (cheap), and binds the socket when the function first starts a child
 * process or a worker thread: only those can connect, and the first `listen` loads
 * `node:cluster` (~2 ms, 1.2 MB), which functions that do neither should not pay.
 *
 * Child processes: at init it subscribes to Node's `child_process` diagnostics channel, which
 * publishes each new `ChildProcess` from its constructor, before `spawn(options)` runs (Node 22
 * and 24: the socket tests hold jobs through it on both profiles), so a child the handler module
 * forks at init is held too (subscribing at the runtime's first `next` instead left it unheld:
 * connect ENOENT). `ChildProcess.prototype` is hooked at the first child, so the extension never
 * loads `node:child_process` itself: loading it cost functions that never spawn +0.50 / +0.66 ms
 * of CPU (nodejs22.x / nodejs24.x) and 0.5 MB of RSS. All of this function costs 0.08 / 0.34 ms
 * of CPU at init (bench/spawn-hook-micro.ts, n=21, with the runtime clients' builtins loaded).
 * Binding is synchronous, inside `spawn`, so the socket exists before the child runs.
 *
 * Worker threads of the function's own (outside Managed Instances, where there is no socket):
 * they inherit `AFTER_RESPONSE_SOCKET` with the environment, and their client sends its jobs
 * over it, held like a child's. The `worker_threads` channel is subscribed at once, at init, so a
 * pool of workers created by the handler module's top-level code is seen too (the channel exists
 * in every process; subscribing loads nothing). Node publishes it synchronously from the `Worker`
 * constructor, just after the thread started (Node 22.23 and 24.21); the thread runs its first
 * line 20–150 ms later (min / max of 15 starts on each, 2 cores) and the bind, loading
 * socket-parts (socket.cjs) first, takes 3.9–7.9 ms (5 on each, loaded machine; 2.1–6.3 ms
 * before the split), so the socket exists before a worker can connect.
 */
export function prepareSocket(options: SocketStartOptions): SocketStarter {
  const path = `/tmp/after-response-${options.pid}.sock`;
  options.env[SOCKET_ENV] = path;
  const lazy = lazySocket(path, options);
  watchWorkers(lazy);
  // At once, not at the runtime's first `next`: a child the handler module forks at init must
  // find the socket bound (subscribing costs ~0.07 ms; the hook and the bind wait for the first child).
  watchChildren(lazy, options);
  return { path };
}

/** socket-parts.ts, loaded, and the reservations for `after-response-hold` made with it. */
interface Loaded {
  readonly parts: SocketParts;
  readonly reservations: Reservations;
}

/** The socket, bound on first use. */
interface LazySocket {
  /** Loads socket-parts.ts on first use; throws if it cannot. */
  load(): Loaded;
  /** Binds the socket if not yet done; whether it is up. Never throws. */
  listening(): boolean;
}

function lazySocket(path: string, options: SocketStartOptions): LazySocket {
  let loaded: Loaded | undefined;
  let listening: boolean | undefined;
  const load = (): Loaded => {
    if (loaded) return loaded;
    try {
      const parts = options.loadParts();
      return (loaded = { parts, reservations: parts.createReservations(options.lifecycle, () => crypto.randomUUID()) });
    } catch (error) {
      // No socket will listen: children and workers must not look for it.
      delete options.env[SOCKET_ENV];
      throw error;
    }
  };
  return { load, listening: () => (listening ??= listen(path, options, load)) };
}

function watchWorkers(lazy: LazySocket): void {
  const channel = process.getBuiltinModule('node:diagnostics_channel').channel('worker_threads');
  const onWorker = (): void => {
    channel.unsubscribe(onWorker);
    lazy.listening();
  };
  channel.subscribe(onWorker);
}

function watchChildren(lazy: LazySocket, options: SocketStartOptions): void {
  const channel = process.getBuiltinModule('node:diagnostics_channel').channel('child_process');
  const onChild = (): void => {
    channel.unsubscribe(onChild);
    // Runs inside the function's `spawn`: a throw here would reach the process (diagnostics
    // channel rethrows on the next tick), so a failure only leaves spawning unhooked.
    try {
      // Already loaded (a child exists); the class's own prototype, even if the child is a subclass's.
      const { parts, reservations } = lazy.load();
      parts.hookSpawn(process.getBuiltinModule('node:child_process').ChildProcess.prototype, reservations, options.logger, lazy.listening);
    } catch (error) {
      options.logger.log('ERROR', 'hooking spawn failed: after-response-hold runs its command unheld', describeError(error));
    }
  };
  channel.subscribe(onChild);
}

/** Whether the socket is up. Never throws: it runs inside the function's `spawn`, whose child then just runs unheld. */
function listen(path: string, options: SocketStartOptions, load: () => Loaded): boolean {
  const { lifecycle, logger, env, graceMs } = options;
  try {
    const started = process.uptime(); // not performance.now(): that would load perf_hooks inside the first spawn
    const { parts: { listenOnSocket }, reservations } = load();
    const net = process.getBuiltinModule('node:net');
    const fs = process.getBuiltinModule('node:fs');
    const detach = options.detach ?? ((fn) => fn());
    const server = detach(() => listenOnSocket({
      path, lifecycle, logger, claim: (ticket) => reservations.claim(ticket), graceMs,
      setTimer: unrefTimer, system: { createServer: net.createServer, rmSync: fs.rmSync, chmodSync: fs.chmodSync, umask: (mask) => process.umask(mask) },
    }));
    if (!server) {
      delete env[SOCKET_ENV];
      return false;
    }
    process.once('exit', () => removeQuietly(fs, path));
    if (logger.enabled('DEBUG')) logger.log('DEBUG', 'after-response socket listening', { path, startMs: (process.uptime() - started) * 1000 });
    return true;
  } catch (error) {
    delete env[SOCKET_ENV];
    logger.log('ERROR', 'the after-response socket could not start: it is off', describeError(error));
    return false;
  }
}

function removeQuietly(fs: { unlinkSync(path: string): void }, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Best effort: the directory is the function's /tmp, and the next start replaces it.
  }
}

function unrefTimer(run: () => void, ms: number): () => void {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
