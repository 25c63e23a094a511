import type { Logger } from '../../shared/log-line.ts';
import { TICKET_ENV } from '../../shared/socket-wire.ts';
import type { ExternalJob } from '../core/external-job.ts';
import { holdName, type SpawnedCommand } from './hold-name.ts';

/** Jobs opened at the moment `after-response-hold` is spawned, claimed when it connects. */
export interface Reservations {
  reserve(name: string): string;
  claim(ticket: string): ExternalJob | undefined;
  /** Fails a reservation nobody claimed (the child exited or failed to start). */
  cancel(ticket: string, message: string): void;
}

export function createReservations(lifecycle: { openExternal(name: string): ExternalJob }, newTicket: () => string): Reservations {
  const open = new Map<string, ExternalJob>();
  return {
    reserve(name) {
      const ticket = newTicket();
      open.set(ticket, lifecycle.openExternal(name));
      return ticket;
    },
    claim(ticket) {
      const job = open.get(ticket);
      open.delete(ticket);
      return job;
    },
    cancel(ticket, message) {
      open.get(ticket)?.finish({ ok: false, message });
      open.delete(ticket);
    },
  };
}

/** What `ChildProcess.prototype.spawn` receives (internal but stable since Node 0.x). */
interface SpawnOptions extends SpawnedCommand {
  readonly envPairs?: unknown;
}
interface ChildLike {
  once(event: 'exit' | 'error', listener: () => void): unknown;
}
type SpawnMethod = (this: ChildLike, options: SpawnOptions) => unknown;

/**
 * A handler that spawns `after-response-hold` and returns at once would be released before the
 * command (a new Node process, ~40 ms to start) can connect. So the job is opened here, while
 * the handler runs, and handed to the command through its environment. `beforeSpawn` starts
 * the socket if need be and says whether it is up.
 */
export function hookSpawn(prototype: object, reservations: Reservations, logger: Logger, beforeSpawn: () => boolean = () => true): void {
  const original: unknown = Reflect.get(prototype, 'spawn');
  if (typeof original !== 'function') return;
  Reflect.set(prototype, 'spawn', function spawn(this: ChildLike, options: SpawnOptions): unknown {
    // No socket, no reservation: nobody could claim it, and it would be logged as failed.
    const listening = beforeSpawn();
    const name = listening ? holdName(options) : undefined;
    if (name === undefined || !Array.isArray(options.envPairs)) return (original as SpawnMethod).call(this, options);
    const ticket = reservations.reserve(name);
    options.envPairs.push(`${TICKET_ENV}=${ticket}`);
    const cancel = (): void => reservations.cancel(ticket, 'after-response-hold exited before it connected');
    try {
      this.once('exit', cancel);
      this.once('error', cancel);
      return (original as SpawnMethod).call(this, options);
    } catch (error) {
      cancel();
      logger.log('DEBUG', 'spawning after-response-hold threw', { name });
      throw error;
    }
  });
}
