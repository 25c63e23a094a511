/**
 * What the socket needs only once the function starts its first child process or worker thread:
 * the server, its connections and the spawn hook. The layer builds this file on its own
 * (lambda-after-response/socket.cjs) and start-socket.ts requires it synchronously then, so the
 * bundle compiled at init is 14 KB smaller (bench/init-micro.ts --instructions).
 */
import { listenOnSocket } from './socket-server.ts';
import { createReservations, hookSpawn } from './spawn-reservations.ts';

export { createReservations, hookSpawn, listenOnSocket };

/** The module's shape, for the loader start-socket.ts is given. */
export interface SocketParts {
  readonly listenOnSocket: typeof listenOnSocket;
  readonly createReservations: typeof createReservations;
  readonly hookSpawn: typeof hookSpawn;
}
