import type { Logger } from '../../client/log-line.ts';
import type { ExternalJob } from '../external-job.ts';
import { listenOnSocket } from './socket-server.ts';
import { createReservations, hookSpawn, type Reservations } from './spawn-reservations.ts';

/** Children find the socket through this variable (they inherit the runtime's environment). */
export const SOCKET_ENV = 'AFTER_RESPONSE_SOCKET';

export interface SocketStartOptions {
  readonly tracker: { openExternal(name: string): ExternalJob };
  readonly logger: Logger;
  readonly env: Record<string, string | undefined>;
  readonly pid: number;
  /** The deadline margin: the peer's SIGTERM→SIGKILL grace is half of it. */
  readonly marginMs: number;
}

export interface SocketStarter {
  readonly path: string;
  /** Hooks spawning on the next turn of the event loop; later calls do nothing. */
  startSoon(): void;
}

/**
 * Exports the path at once (cheap). At the runtime's first `next` it hooks spawning
 * (`node:child_process`, ~1 ms, 1 MB) and listens only when the function first starts a child
 * process: only children can connect, and the first `listen` loads `node:cluster` (~2 ms,
 * 1.2 MB), which functions that never spawn should not pay. Binding is synchronous, so the
 * socket exists before the child runs.
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
  const { ChildProcess } = process.getBuiltinModule('node:child_process');
  const reservations = createReservations(options.tracker, () => crypto.randomUUID());
  let listening = false;
  hookSpawn(ChildProcess.prototype, reservations, options.logger, () => {
    if (listening) return;
    listening = true;
    listen(path, options, reservations);
  });
}

function listen(path: string, { tracker, logger, env, marginMs }: SocketStartOptions, reservations: Reservations): void {
  const started = performance.now();
  const net = process.getBuiltinModule('node:net');
  const fs = process.getBuiltinModule('node:fs');
  const server = listenOnSocket({
    path, tracker, logger, claim: (ticket) => reservations.claim(ticket), graceMs: Math.floor(marginMs / 2),
    setTimer: unrefTimer, system: { createServer: net.createServer, rmSync: fs.rmSync, chmodSync: fs.chmodSync, umask: (mask) => process.umask(mask) },
  });
  if (!server) {
    delete env[SOCKET_ENV];
    return;
  }
  process.once('exit', () => {
    try {
      fs.unlinkSync(path);
    } catch {
      // Best effort: the directory is the function's /tmp, and the next start replaces it.
    }
  });
  if (logger.enabled('DEBUG')) logger.log('DEBUG', 'after-response socket listening', { path, startMs: performance.now() - started });
}

function unrefTimer(run: () => void, ms: number): () => void {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
