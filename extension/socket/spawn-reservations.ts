import type { Logger } from '../../client/log-line.ts';
import type { ExternalJob } from '../external-job.ts';

/** The environment variable that carries a reservation's ticket to `after-response-hold`. */
export const TICKET_ENV = 'AFTER_RESPONSE_TICKET';
const COMMAND = 'after-response-hold';

/** Jobs opened at the moment `after-response-hold` is spawned, claimed when it connects. */
export interface Reservations {
  reserve(name: string): string;
  claim(ticket: string): ExternalJob | undefined;
  /** Fails a reservation nobody claimed (the child exited or failed to start). */
  cancel(ticket: string, message: string): void;
}

export function createReservations(tracker: { openExternal(name: string): ExternalJob }, newTicket: () => string): Reservations {
  const open = new Map<string, ExternalJob>();
  return {
    reserve(name) {
      const ticket = newTicket();
      open.set(ticket, tracker.openExternal(name));
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
interface SpawnOptions {
  readonly file?: unknown;
  readonly args?: unknown;
  readonly envPairs?: unknown;
}
interface ChildLike {
  once(event: 'exit' | 'error', listener: () => void): unknown;
}
type SpawnMethod = (this: ChildLike, options: SpawnOptions) => unknown;

/**
 * A handler that spawns `after-response-hold` and returns at once would be released before the
 * command (a new Node process, ~40 ms to start) can connect. So the job is opened here, while
 * the handler runs, and handed to the command through its environment.
 */
export function hookSpawn(prototype: object, reservations: Reservations, logger: Logger, beforeSpawn: () => void = () => undefined): void {
  const original: unknown = Reflect.get(prototype, 'spawn');
  if (typeof original !== 'function') return;
  Reflect.set(prototype, 'spawn', function spawn(this: ChildLike, options: SpawnOptions): unknown {
    beforeSpawn();
    const name = holdName(options);
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

/** The job name when the command line runs `after-response-hold` (directly or through a shell). */
export function holdName(options: SpawnOptions): string | undefined {
  const words = [options.file, ...(Array.isArray(options.args) ? options.args : [])].filter((w): w is string => typeof w === 'string');
  if (!words.some((word) => word.includes(COMMAND))) return undefined;
  const named = words.indexOf('--name');
  if (named !== -1 && words[named + 1] !== undefined) return words[named + 1];
  const dashes = words.indexOf('--');
  const command = dashes === -1 ? undefined : words.slice(dashes + 1).join(' ');
  return command ? command.slice(0, 200) : COMMAND;
}
