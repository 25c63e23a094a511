import type { Socket } from 'node:net';
import type { Logger } from '../../shared/log-line.ts';
import { LineSplitter } from '../../shared/socket-wire.ts';
import type { ExternalJob } from '../core/external-job.ts';
import { LIMITS, parseRequest, replies, type Limits, type Request } from '../../shared/socket-messages.ts';

/** What a connection needs from the extension; injected so tests use a fake or the real lifecycle. */
export interface ConnectionDeps {
  readonly lifecycle: { openExternal(name: string, options?: { readonly internal?: boolean }): ExternalJob };
  /** Hands over a job reserved when `after-response-hold` was spawned (see spawn-reservations.ts). */
  readonly claim: (ticket: string) => ExternalJob | undefined;
  readonly logger: Logger;
  /** A job id unique within the server. */
  readonly nextId: () => string;
  /** Sent with the abort event: how long the peer may wait between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
  readonly limits?: Partial<Limits>;
}

const CLOSED_EARLY = { ok: false, message: 'connection closed before finish' } as const;

/**
 * Serves one peer: its jobs are finished by its requests, or failed when it goes away. The
 * socket is unref'd: it must never keep the runtime's event loop alive (RIC 3 answers
 * callback handlers on an empty loop).
 */
export function serveConnection(socket: Socket, deps: ConnectionDeps): void {
  socket.unref();
  const connection = new Connection(socket, deps);
  socket.on('data', (chunk: Buffer) => connection.receive(chunk));
  socket.on('end', () => connection.stop('the peer ended the connection'));
  socket.on('close', () => connection.stop('the connection closed'));
  socket.on('error', (error) => deps.logger.log('DEBUG', 'socket connection error', { error: error.message }));
}

class Connection {
  readonly #jobs = new Map<string, ExternalJob>();
  readonly #socket: Socket;
  readonly #deps: ConnectionDeps;
  readonly #limits: Limits;
  readonly #splitter: LineSplitter;
  readonly #firstLine: { release(): void };
  #stopped = false;

  constructor(socket: Socket, deps: ConnectionDeps) {
    this.#socket = socket;
    this.#deps = deps;
    this.#limits = { ...LIMITS, ...deps.limits };
    this.#splitter = new LineSplitter(this.#limits.maxLineBytes);
    this.#firstLine = holdUntilFirstLine(deps, this.#limits.firstLineTimeoutMs);
  }

  receive(chunk: Buffer): void {
    if (this.#stopped) return;
    this.#firstLine.release();
    const { lines, overflow } = this.#splitter.push(chunk);
    for (const line of lines) if (!this.#stopped) this.#handle(line);
    if (overflow && !this.#stopped) {
      this.#send(replies.error('line-too-long', `Expected lines of at most ${this.#limits.maxLineBytes} bytes; closing the connection`));
      this.stop('line too long');
    }
  }

  /** Fails what is unfinished (the peer can no longer finish it) and closes once. */
  stop(why: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#firstLine.release();
    for (const job of this.#jobs.values()) job.finish(CLOSED_EARLY);
    if (this.#jobs.size > 0) this.#deps.logger.log('WARN', 'socket connection closed before finish: its jobs count as failed', { jobs: this.#jobs.size, why });
    this.#jobs.clear();
    this.#socket.destroySoon();
  }

  #send(line: string): void {
    if (this.#stopped || this.#socket.destroyed) return;
    this.#socket.write(line);
    if (this.#socket.writableLength > this.#limits.maxPendingReplyBytes) this.stop('the peer does not read its replies');
  }

  #handle(line: string): void {
    const parsed = parseRequest(line);
    if ('error' in parsed) this.#send(replies.error(parsed.error, parsed.message));
    else if (parsed.request.op === 'open') this.#open(parsed.request);
    else this.#finish(parsed.request);
  }

  #open(request: Extract<Request, { op: 'open' }>): void {
    const max = this.#limits.maxJobsPerConnection;
    if (this.#jobs.size >= max) {
      this.#send(replies.error('too-many-jobs', `Expected at most ${max} unfinished jobs per connection; finish some first`));
      return;
    }
    const job = (request.ticket === undefined ? undefined : this.#deps.claim(request.ticket)) ?? this.#deps.lifecycle.openExternal(request.name);
    const id = this.#deps.nextId();
    this.#jobs.set(id, job);
    job.onAbort(() => this.#jobs.has(id) && this.#send(replies.abort(id, this.#deps.graceMs)));
    this.#send(replies.opened(id, job.requestId(), job.deadlineMs()));
  }

  #finish(request: Extract<Request, { op: 'finish' }>): void {
    const job = this.#jobs.get(request.id);
    if (!job) {
      this.#send(replies.error('unknown-job', `Expected \`id\` to name an unfinished job of this connection, got ${JSON.stringify(request.id.slice(0, 80))}`));
      return;
    }
    this.#jobs.delete(request.id);
    job.finish(request.outcome);
    this.#send(replies.finished());
  }
}

/**
 * A peer may connect, tell the handler "queued" another way, and write its `open` a moment
 * later: the connection itself holds the invoke until its first bytes arrive (bounded).
 */
function holdUntilFirstLine(deps: ConnectionDeps, timeoutMs: number): { release(): void } {
  const pending = deps.lifecycle.openExternal('socket connection (first request pending)', { internal: true });
  const release = (): void => {
    cancel();
    pending.finish({ ok: true });
  };
  const cancel = deps.setTimer(release, timeoutMs);
  return { release };
}
