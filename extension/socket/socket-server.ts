import type { Server, Socket } from 'node:net';
import { describeError } from '../../shared/log-line.ts';
import { serveConnection, type ConnectionDeps } from './connection.ts';
import { LIMITS, replies } from '../../shared/socket-messages.ts';

/** The parts of `node:net`, `node:fs` and `process` the server uses; injected for tests. */
export interface ServerSystem {
  readonly createServer: (listener: (socket: Socket) => void) => Server;
  readonly rmSync: (path: string, options: { force: boolean }) => void;
  readonly chmodSync: (path: string, mode: number) => void;
  readonly umask: (mask: number) => number;
}

export interface SocketServerOptions extends Omit<ConnectionDeps, 'nextId'> {
  readonly path: string;
  readonly system: ServerSystem;
  readonly maxConnections?: number;
}

/**
 * Listens on a Unix socket only this user can use (mode 0600 from the first instant: the umask
 * is narrowed around the synchronous bind). A stale file at the path is replaced. The server is
 * unref'd, so it never keeps the runtime alive. Returns undefined (logged) when it cannot listen;
 * never throws: it runs inside the function's own `spawn` call.
 */
export function listenOnSocket(options: SocketServerOptions): Server | undefined {
  const { path, system, logger } = options;
  // First, as it is the one step that may be unsupported (worker threads): nothing to undo then.
  const previous = narrowUmask(system, logger);
  if (previous === undefined) return undefined;
  let server: Server | undefined;
  try {
    system.rmSync(path, { force: true });
    server = system.createServer(admit(options));
    server.on('error', (error) => logger.log('ERROR', `the after-response socket ${path} failed: it is off`, describeError(error)));
    server.listen(path);
  } catch (error) {
    logger.log('ERROR', `cannot listen on ${path}: the after-response socket is off`, describeError(error));
    server?.close();
    return undefined;
  } finally {
    system.umask(previous);
  }
  server.unref();
  try {
    system.chmodSync(path, 0o600);
  } catch {
    // The bind failed; the 'error' event reports it.
  }
  return server;
}

/**
 * Narrows the umask so the socket file is never wider than 0600, returning the previous one.
 * `process.umask(mask)` throws ERR_WORKER_UNSUPPORTED_OPERATION in worker threads (Managed
 * Instances run handlers there): without it the file could be created readable by others, so
 * the socket stays off.
 */
function narrowUmask(system: ServerSystem, logger: SocketServerOptions['logger']): number | undefined {
  try {
    return system.umask(0o177);
  } catch (error) {
    logger.log('WARN', 'cannot narrow the umask here (a worker thread?): the after-response socket is off, jobs of child processes run unheld', describeError(error));
    return undefined;
  }
}

/** Bounds the connections, then serves each with its own job ids. */
function admit(options: SocketServerOptions): (socket: Socket) => void {
  const max = options.maxConnections ?? LIMITS.maxConnections;
  let open = 0;
  let seq = 0;
  const deps: ConnectionDeps = { ...options, nextId: () => `j${++seq}` };
  return (socket) => {
    if (open >= max) {
      socket.unref();
      socket.on('error', () => undefined);
      socket.end(replies.error('too-many-connections', `Expected at most ${max} connections at once; this one is closed`));
      return;
    }
    open++;
    socket.once('close', () => open--);
    serveConnection(socket, deps);
  };
}
