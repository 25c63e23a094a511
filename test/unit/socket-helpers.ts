import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeTracker } from '../../extension/invoke-tracker.ts';
import type { Limits } from '../../extension/socket/protocol.ts';
import { listenOnSocket } from '../../extension/socket/socket-server.ts';
import { createReservations, type Reservations } from '../../extension/socket/spawn-reservations.ts';
import { recordingLogger } from './fakes.ts';

export const realTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/** A real InvokeTracker (held mode, real clock) behind a real socket server in a temp dir. */
export async function startSocketRig(options: { marginMs?: number; limits?: Partial<Limits>; maxConnections?: number; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'after-response-socket-'));
  const path = join(dir, 'extension.sock');
  const logger = recordingLogger('DEBUG');
  const tracker = new InvokeTracker({
    concurrency: Infinity, marginMs: options.marginMs ?? 100, fallbackIdleMs: 100, logger,
    now: () => performance.timeOrigin + performance.now(), setTimer: realTimer,
  });
  tracker.observed = true;
  tracker.held = true;
  const reservations: Reservations = createReservations(tracker, () => `ticket-${Math.random()}`);
  const server = listenOnSocket({
    path, tracker, logger, claim: (ticket) => reservations.claim(ticket), graceMs: 50, setTimer: realTimer,
    system: { createServer, rmSync, chmodSync, umask: (mask) => process.umask(mask) },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  if (!server) throw new Error('the server did not start');
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  let invokes = 0;
  /** Starts an invoke as the runtime would and returns what its hold resolves to. */
  const invoke = (timeoutMs = 3000) => {
    const requestId = `req-${++invokes}`;
    const deadlineMs = Date.now() + timeoutMs;
    tracker.invokeStarted(requestId, deadlineMs);
    const released = tracker.hold({ requestId, deadlineMs }).then((reason) => ({ reason, at: performance.now() }));
    return { requestId, deadlineMs, released, handlerDone: () => (tracker.responsePosted(requestId), tracker.runtimeNext()) };
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
