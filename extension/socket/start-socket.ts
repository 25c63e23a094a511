import type { Logger } from '../../client/log-line.ts';
import type { ExternalJob } from '../external-job.ts';
import { listenOnSocket } from './socket-server.ts';
import { createReservations, hookSpawn } from './spawn-reservations.ts';

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
  /** Listens on the next turn of the event loop; later calls do nothing. */
  startSoon(): void;
}

/**
 * Exports the path at once (cheap) but listens later, at the runtime's first `next`: binding
 * the first server loads `node:cluster` and `node:child_process` (~2 ms), which would otherwise
 * count against the function's init.
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

function start(path: string, { tracker, logger, env, marginMs }: SocketStartOptions): void {
  const started = performance.now();
  const net = process.getBuiltinModule('node:net');
  const fs = process.getBuiltinModule('node:fs');
  const { ChildProcess } = process.getBuiltinModule('node:child_process');
  const reservations = createReservations(tracker, () => crypto.randomUUID());
  const server = listenOnSocket({
    path, tracker, logger, claim: (ticket) => reservations.claim(ticket), graceMs: Math.floor(marginMs / 2),
    setTimer: unrefTimer, system: { createServer: net.createServer, rmSync: fs.rmSync, chmodSync: fs.chmodSync, umask: (mask) => process.umask(mask) },
  });
  if (!server) {
    delete env[SOCKET_ENV];
    return;
  }
  hookSpawn(ChildProcess.prototype, reservations, logger);
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
