import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lifecycle } from '../../extension/core/lifecycle.ts';
import type { Limits } from '../../shared/socket-messages.ts';
import { listenOnSocket } from '../../extension/socket/socket-server.ts';
import { createReservations, type Reservations } from '../../extension/socket/spawn-reservations.ts';
import { recordingLogger } from './fakes.ts';
import { AlsContext } from '../../extension/runtime-hooks/als-context.ts';

export const realTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export interface SocketRigOptions {
  readonly marginMs?: number;
  /** The grace between the deadline abort and the release; the abort event announces it. @default 50 */
  readonly graceMs?: number;
  readonly limits?: Partial<Limits>;
  readonly maxConnections?: number;
  readonly dir?: string;
}

/** A real Lifecycle (held mode, real clock) behind a real socket server in a temp dir. */
export async function startSocketRig(options: SocketRigOptions = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'after-response-socket-'));
  const path = join(dir, 'extension.sock');
  const logger = recordingLogger('DEBUG');
  const graceMs = options.graceMs ?? 50;
  const tracker = new Lifecycle({ context: new AlsContext(), defer: setImmediate,
    concurrency: Infinity, marginMs: options.marginMs ?? 100, graceMs, fallbackIdleMs: 100, logger, setTimer: realTimer,
    clock: { wallNow: () => performance.timeOrigin + performance.now(), monoNow: () => performance.now() },
  });
  tracker.registered();
  tracker.observed();
  const reservations: Reservations = createReservations(tracker, () => `ticket-${Math.random()}`);
  // Detached as in start-socket.ts: connections must not inherit a test's (or invoke's) context.
  const server = tracker.detach(() => listenOnSocket({
    path, lifecycle: tracker, logger, claim: (ticket) => reservations.claim(ticket), graceMs, setTimer: realTimer,
    system: { createServer, rmSync, chmodSync, umask: (mask) => process.umask(mask) },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  }));
  if (!server) throw new Error('the server did not start');
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  let invokes = 0;
  /**
   * Starts an invoke as the runtime would and returns what its hold resolves to. The runtime's
   * calls run detached: `runtimeNext` enters a fresh async-context slot, which must not leak
   * into the test's own code.
   */
  const invoke = (timeoutMs = 3000) => {
    const requestId = `req-${++invokes}`;
    const deadlineMs = Date.now() + timeoutMs;
    tracker.detach(() => tracker.invokeStarted(requestId, deadlineMs));
    const released = tracker.hold({ requestId, deadlineMs }).then((reason) => ({ reason, at: performance.now() }));
    const handlerDone = (): void => tracker.detach(() => (tracker.responsePosted(requestId, 'returned'), tracker.runtimeNext()));
    return { requestId, deadlineMs, released, handlerDone };
  };
  const close = async (): Promise<void> => {
    server.close(); // Without waiting: peers under test may keep their (unref'd) connections.
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, path, logger, tracker, reservations, server, invoke, close };
}

/** A test peer: sends lines, and reads replies and events one at a time. */
export async function connectPeer(path: string) {
  const socket: Socket = createConnection(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    const parts = (buffered + text).split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.on('error', () => undefined);
  socket.on('close', () => ((closed = true), waiters.splice(0).forEach((wake) => wake())));
  const next = async (): Promise<Record<string, unknown>> => {
    while (lines.length === 0) {
      if (closed) throw new Error('the connection closed');
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return lines.shift() as Record<string, unknown>;
  };
  const request = async (message: Record<string, unknown> | string) => {
    socket.write(typeof message === 'string' ? message : `${JSON.stringify(message)}\n`);
    return next();
  };
  const closedPromise = new Promise<void>((resolve) => (closed ? resolve() : socket.once('close', () => resolve())));
  return { socket, next, request, closed: closedPromise, isClosed: () => closed };
}

/**
 * A scripted stand-in for the extension, for what the real one never sends (unreadable lines,
 * unknown events, endless lines): `answer` gets each request line, parsed, and writes replies.
 */
export async function scriptedExtension(answer: (request: Record<string, unknown>, socket: Socket, index: number) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'after-response-scripted-'));
  const path = join(dir, 'extension.sock');
  const requests: Array<Record<string, unknown>> = [];
  const closed: Promise<void>[] = [];
  const server = createServer((socket) => {
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (text: string) => {
      const lines = (buffered + text).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        requests.push(JSON.parse(line) as Record<string, unknown>);
        answer(requests.at(-1) ?? {}, socket, requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const close = (): void => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { path, requests, connectionClosed: () => Promise.all(closed), close };
}

/** Resolves with what `read` returns once it is defined, polling; rejects after `ms`. */
export async function eventually<T>(read: () => T | undefined, ms = 1000): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (performance.now() > until) throw new Error(`nothing within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
