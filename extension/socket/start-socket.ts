import { describeError, type Logger } from '../../client/log-line.ts';
import { SOCKET_ENV } from '../../client/socket-wire.ts';
import type { ExternalJob } from '../external-job.ts';
import { listenOnSocket } from './socket-server.ts';
import { createReservations, hookSpawn, type Reservations } from './spawn-reservations.ts';

export interface SocketStartOptions {
  readonly tracker: { openExternal(name: string): ExternalJob };
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
}

export interface SocketStarter {
  readonly path: string;
  /** Hooks spawning on the next turn of the event loop; later calls do nothing. */
  startSoon(): void;
}

/**
 * Exports the path at once (cheap). At the runtime's first `next` it subscribes to Node's
 * `child_process` diagnostics channel, which publishes each new `ChildProcess` from its
 * constructor, before `spawn(options)` runs (Node 22 and 24: the socket tests hold jobs through
 * it on both profiles). `ChildProcess.prototype` is hooked at the first child, so the extension
 * never loads `node:child_process` itself. Loading it at the runtime's first `next`, where it
 * competes with the first invoke, cost functions that never spawn +0.50 / +0.66 ms of CPU
 * (nodejs22.x / nodejs24.x) and 0.5 MB of RSS; subscribing costs +0.07 ms
 * (bench/spawn-hook-micro.ts, n=41, with the runtime clients' builtins loaded). The socket
 * listens only when the function first starts a child process: only children can connect, and
 * the first `listen` loads `node:cluster` (~2 ms, 1.2 MB), which functions that never spawn
 * should not pay. Binding is synchronous, so the socket exists before the child runs.
 */
export function prepareSocket(options: SocketStartOptions): SocketStarter {
  const path = `/tmp/after-response-${options.pid}.sock`;
  options.env[SOCKET_ENV] = path;
  let requested = false;
  return {
    path,
    startSoon() {
      if (requested) return;
      requested = true;
      setImmediate(() => start(path, options)).unref();
    },
  };
}

function start(path: string, options: SocketStartOptions): void {
  const channel = process.getBuiltinModule('node:diagnostics_channel').channel('child_process');
  const onChild = (): void => {
    channel.unsubscribe(onChild);
    // Runs inside the function's `spawn`: a throw here would reach the process (diagnostics
    // channel rethrows on the next tick), so a failure only leaves spawning unhooked.
    try {
      // Already loaded (a child exists); the class's own prototype, even if the child is a subclass's.
      hook(process.getBuiltinModule('node:child_process').ChildProcess.prototype, path, options);
    } catch (error) {
      options.logger.log('ERROR', 'hooking spawn failed: after-response-hold runs its command unheld', describeError(error));
    }
  };
  channel.subscribe(onChild);
}

function hook(prototype: object, path: string, options: SocketStartOptions): void {
  const reservations = createReservations(options.tracker, () => crypto.randomUUID());
  let listening: boolean | undefined;
  hookSpawn(prototype, reservations, options.logger, () => (listening ??= listen(path, options, reservations)));
}

/** Whether the socket is up. Never throws: it runs inside the function's `spawn`, whose child then just runs unheld. */
function listen(path: string, options: SocketStartOptions, reservations: Reservations): boolean {
  const { tracker, logger, env, graceMs } = options;
  try {
    const started = process.uptime(); // not performance.now(): that would load perf_hooks inside the first spawn
    const net = process.getBuiltinModule('node:net');
    const fs = process.getBuiltinModule('node:fs');
    const detach = options.detach ?? ((fn) => fn());
    const server = detach(() => listenOnSocket({
      path, tracker, logger, claim: (ticket) => reservations.claim(ticket), graceMs,
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
