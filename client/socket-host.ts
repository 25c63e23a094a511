import type { Socket } from 'node:net';
import type { HostV1, Job, JobContext } from './host-interface.ts';
import { describeError, type Logger } from './log-line.ts';

/** Where a child process finds the extension (the runtime exports it; children inherit it). */
export const SOCKET_ENV = 'AFTER_RESPONSE_SOCKET';
const VERSION = 1;

export interface SocketHostOptions {
  readonly path: string;
  readonly logger: Logger;
  /** Where jobs go once the socket is unusable (they run unheld). */
  readonly fallback: () => HostV1;
  /** @default `createConnection` of `node:net` */
  readonly connect?: (path: string) => Socket;
  /** Claims the job reserved when `after-response-hold` was spawned (first open only). */
  readonly ticket?: string;
}

interface Reply {
  readonly ok: boolean;
  readonly id?: unknown;
  readonly requestId?: unknown;
  readonly deadlineMs?: unknown;
  readonly message?: unknown;
}

interface ClientJob {
  readonly name: string;
  readonly controller: AbortController;
  id?: string;
  /** The extension answered the open (or never will): the job may be reported. */
  replied: boolean;
  outcome?: { ok: true } | { ok: false; message: string };
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
  readonly #awaiting: Array<(reply: Reply) => void> = [];
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

  #opened(entry: ClientJob, job: Job, reply: Reply): void {
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
    new Promise<unknown>((resolve) => resolve(work())).then(
      () => this.#settle(entry, undefined),
      (error: unknown) => this.#settle(entry, error ?? new Error('rejected with no reason')),
    );
  }

  #settle(entry: ClientJob, error: unknown): void {
    if (error === undefined) entry.outcome = { ok: true };
    else {
      const described = describeError(error);
      this.#options.logger.log('ERROR', 'job failed', { job: entry.name, ...described });
      entry.outcome = { ok: false, message: `${String(described.errorType)}: ${String(described.errorMessage)}` };
    }
    this.#report(entry);
  }

  /** Sends the finish once both the job's outcome and its id are known. */
  #report(entry: ClientJob): void {
    if (entry.outcome && entry.replied) {
      if (entry.id !== undefined && !this.#broken) this.#write({ op: 'finish', id: entry.id, ...entry.outcome }, () => undefined);
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

  #write(message: Readonly<Record<string, unknown>>, onReply: (reply: Reply) => void): void {
    this.#awaiting.push(onReply);
    this.#connection().write(`${JSON.stringify({ v: VERSION, ...message })}\n`);
  }

  #connection(): Socket {
    if (this.#socket) return this.#socket;
    const connect = this.#options.connect ?? ((path: string) => process.getBuiltinModule('node:net').createConnection(path));
    const socket = (this.#socket = connect(this.#options.path));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (buffered + text).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) this.#receive(line);
    });
    socket.on('error', (error) => this.#lost(error.message));
    socket.on('close', () => this.#lost('the connection closed'));
    return socket;
  }

  #receive(line: string): void {
    const message = parseReply(line);
    if (!message) return;
    if (message.event !== 'abort') return void this.#awaiting.shift()?.(message);
    const entry = typeof message.id === 'string' ? this.#byId.get(message.id) : undefined;
    if (!entry) return;
    entry.alive = false;
    entry.controller.abort(new DOMException('The invoke deadline is near', 'TimeoutError'));
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

function parseReply(line: string): (Reply & { readonly event?: unknown }) | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return undefined;
    const get = (key: string): unknown => Reflect.get(value, key);
    return { ok: get('ok') === true, id: get('id'), requestId: get('requestId'), deadlineMs: get('deadlineMs'), message: get('message'), event: get('event') };
  } catch {
    return undefined;
  }
}
