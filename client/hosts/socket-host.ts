import type { Socket } from 'node:net';
import type { HostV1, Job, JobContext } from '../../shared/host-protocol.ts';
import { describeError, type Logger } from '../../shared/log-line.ts';
import { settle, type Settlement } from '../../shared/settle.ts';
import { deadlineAbortReason } from '../../shared/deadline-abort.ts';
import { encodeFinish, plainMessage, type FinishOutcome } from '../../shared/socket-finish.ts';
import { encodeLine, LineSplitter, MAX_LINE_BYTES, readServerLine, type ServerEvent, type ServerReply } from '../../shared/socket-wire.ts';

export { SOCKET_ENV } from '../../shared/socket-wire.ts';

export interface SocketHostOptions {
  readonly path: string;
  readonly logger: Logger;
  /** Where jobs go once the socket is unusable (they run unheld). */
  readonly fallback: () => HostV1;
  /** @default `createConnection` of `node:net` */
  readonly connect?: (path: string) => Socket;
  /** Claims the job reserved when `after-response-hold` was spawned (first open only). */
  readonly ticket?: string;
  /**
   * A failed job the extension accepted is logged by the extension alone (one line, with the
   * invoke's request id, the job id and this error's type, message and stack). One it never
   * accepted (refused, or the socket unusable) is logged here ('log'), or not at all ('silent':
   * `after-response-hold` reports it through its exit status and the command's own output).
   * @default 'log'
   */
  readonly reportFailures?: 'log' | 'silent';
  /** Told of each abort event before the job's signal aborts (`after-response-hold` reads its grace). */
  readonly onAbort?: (event: AbortEvent) => void;
}

/** The extension aborts a job: `graceMs` is how long it waits before the release, when it says. */
export interface AbortEvent {
  readonly name: string;
  readonly graceMs: number | undefined;
}

interface ClientJob {
  readonly name: string;
  readonly controller: AbortController;
  id?: string;
  /** The extension answered the open (or never will): the job may be reported. */
  replied: boolean;
  outcome?: FinishOutcome;
  /** Keeps this process alive: not yet reported and not aborted. */
  alive: boolean;
}

/**
 * The host of a child process of the runtime (forked Node worker, `after-response-hold`): each
 * job is opened over the extension's socket, run here, and finished there, so the invoke holds
 * for it. The socket is ref'd only while a job is unreported, so the child exits when done.
 */
export function createSocketHost(options: SocketHostOptions): HostV1 {
  const host = new SocketHost(options);
  return { enqueue: (job, { name }) => host.enqueue(job, name), drain: () => host.drain() };
}

class SocketHost {
  readonly #options: SocketHostOptions;
  readonly #jobs = new Set<ClientJob>();
  readonly #byId = new Map<string, ClientJob>();
  /** One per request sent, oldest first: the extension answers requests in order. */
  readonly #awaiting: Array<(reply: ServerReply) => void> = [];
  #drainWaiters: Array<() => void> = [];
  #socket: Socket | undefined;
  #broken = false;
  #ticket: string | undefined;

  constructor(options: SocketHostOptions) {
    this.#options = options;
    this.#ticket = options.ticket;
  }

  enqueue(job: Job, name: string): void {
    if (this.#broken) return this.#options.fallback().enqueue(job, { name });
    const entry: ClientJob = { name, controller: new AbortController(), replied: false, alive: true };
    this.#jobs.add(entry);
    const ticket = this.#ticket;
    this.#ticket = undefined;
    this.#write(ticket === undefined ? { op: 'open', name } : { op: 'open', name, ticket }, (reply) => this.#opened(entry, job, reply));
    if (typeof job !== 'function') this.#run(entry, () => job);
    this.#refresh();
  }

  async drain(): Promise<void> {
    if (this.#jobs.size > 0) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    if (this.#broken) await this.#options.fallback().drain();
  }

  #opened(entry: ClientJob, job: Job, reply: ServerReply): void {
    entry.replied = true;
    if (reply.ok && typeof reply.id === 'string') this.#byId.set((entry.id = reply.id), entry);
    else if (!this.#broken) this.#options.logger.log('WARN', 'the extension refused a job: it runs NOT held', { job: entry.name, error: reply.message });
    if (typeof job !== 'function') return this.#report(entry);
    const requestId = typeof reply.requestId === 'string' ? reply.requestId : 'unknown';
    const deadlineMs = typeof reply.deadlineMs === 'number' ? reply.deadlineMs : Number.POSITIVE_INFINITY;
    const context: JobContext = { signal: entry.controller.signal, requestId, deadlineMs };
    this.#run(entry, () => job(context));
  }

  #run(entry: ClientJob, work: () => unknown): void {
    settle(work, (settlement) => this.#settled(entry, settlement));
  }

  #settled(entry: ClientJob, settlement: Settlement): void {
    if (settlement.ok) entry.outcome = { ok: true };
    else {
      const error = describeError(settlement.error);
      entry.outcome = { ok: false, message: plainMessage(error), error };
    }
    this.#report(entry);
  }

  /**
   * Sends the finish once both the job's outcome and its id are known. A failure goes to the
   * extension, which logs it; only one it will never hear of is logged here (never twice).
   */
  #report(entry: ClientJob): void {
    const { outcome } = entry;
    if (outcome && entry.replied) {
      const id = this.#broken ? undefined : entry.id;
      if (id !== undefined) this.#send(encodeFinish(id, outcome));
      else if (!outcome.ok && outcome.error && this.#options.reportFailures !== 'silent') {
        this.#options.logger.log('ERROR', 'job failed', { job: entry.name, ...outcome.error });
      }
      entry.alive = false;
      this.#jobs.delete(entry);
      if (entry.id !== undefined) this.#byId.delete(entry.id);
    }
    this.#refresh();
  }

  #refresh(): void {
    const alive = [...this.#jobs].some((job) => job.alive);
    if (alive) this.#socket?.ref();
    else this.#socket?.unref();
    if (this.#jobs.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #write(message: Readonly<Record<string, unknown>>, onReply: (reply: ServerReply) => void): void {
    this.#send(encodeLine(message), onReply);
  }

  #send(line: string, onReply: (reply: ServerReply) => void = () => undefined): void {
    this.#awaiting.push(onReply);
    this.#connection().write(line);
  }

  #connection(): Socket {
    if (this.#socket) return this.#socket;
    const connect = this.#options.connect ?? ((path: string) => process.getBuiltinModule('node:net').createConnection(path));
    const socket = (this.#socket = connect(this.#options.path));
    // Bounded like the extension's side: a peer that never ends its line cannot grow memory.
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      for (const line of lines) this.#receive(line);
      if (!overflow) return;
      this.#lost(`a reply line longer than ${MAX_LINE_BYTES} bytes`);
      socket.destroy();
    });
    socket.on('error', (error) => this.#lost(error.message));
    socket.on('close', () => this.#lost('the connection closed'));
    return socket;
  }

  /** An event acts on its job; any other line answers the oldest request, even one that cannot be read. */
  #receive(line: string): void {
    const message = readServerLine(line);
    if (message.kind === 'event') return this.#event(message);
    this.#awaiting.shift()?.(message.reply);
  }

  #event(event: ServerEvent): void {
    // Only `abort` exists in version 1; an unknown event is not a reply either.
    const entry = event.event === 'abort' && typeof event.id === 'string' ? this.#byId.get(event.id) : undefined;
    if (!entry || entry.controller.signal.aborted) return;
    entry.alive = false;
    const { graceMs } = event;
    try {
      this.#options.onAbort?.({ name: entry.name, graceMs: typeof graceMs === 'number' && graceMs >= 0 && graceMs < Infinity ? graceMs : undefined });
    } catch (error) {
      // A throw here would be the process's uncaught exception, from inside a socket callback.
      this.#options.logger.log('ERROR', 'onAbort threw', { job: entry.name, ...describeError(error) });
    }
    entry.controller.abort(deadlineAbortReason());
    this.#refresh();
  }

  /** The socket failed or closed: what waits for a reply runs unheld, later jobs go to the fallback. */
  #lost(why: string): void {
    if (this.#broken) return;
    this.#broken = true;
    if (this.#jobs.size > 0) this.#options.logger.log('WARN', `the after-response socket is unusable (${why}): jobs run in-process and are NOT held`, { path: this.#options.path });
    for (const onReply of this.#awaiting.splice(0)) onReply({ ok: false, message: why });
    for (const job of this.#jobs) job.alive = false;
    this.#refresh();
  }
}
