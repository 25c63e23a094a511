import { createLocalHost } from '../../client/hosts/local-host.ts';
import type { Logger, LogLevel } from '../../shared/log-line.ts';
import { createSocketHost, type SocketHostOptions } from '../../client/hosts/socket-host.ts';
import { SOCKET_ENV, TICKET_ENV } from '../../shared/socket-wire.ts';
import { parseConfig } from '../core/config.ts';
import { CommandFailed, describeStatus, runCommand, type RunOptions } from './run-command.ts';

const ANSWER_TIMEOUT_MS = 1000;

/** What `after-response-hold` takes from its process; injected so tests run it in-process. */
export interface HoldDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly spawn: RunOptions['spawn'];
  readonly forward: RunOptions['forward'];
  readonly stderr: (text: string) => void;
  /** Ends this process with a status: a command run unheld must not wait for a late answer. */
  readonly exit: (status: number) => void;
  /** @default `createConnection` of `node:net` */
  readonly connect?: SocketHostOptions['connect'];
  /** @default 1000 */
  readonly answerTimeoutMs?: number;
}

/**
 * SIGTERM→SIGKILL delay: three quarters of the grace the extension gives before the release
 * (its abort event says it), so the kill lands before the release; an abort without it gets
 * half the deadline margin, the extension's grace before it announced one.
 */
export function killDelayMs(graceMs: number | undefined, marginMs: number): number {
  return Math.floor(graceMs === undefined ? marginMs / 2 : (graceMs * 3) / 4);
}

/** Runs the command as a job held by the extension; resolves with its exit status. */
export function hold(args: { readonly name: string; readonly command: readonly [string, ...string[]] }, deps: HoldDeps): Promise<number> {
  const { [TICKET_ENV]: ticket, ...env } = deps.env;
  const { deadlineMarginMs: marginMs, managedInstances } = parseConfig(env).config;
  let graceMs: number | undefined;
  // The command always runs with this signal: the extension's may come after it started (its
  // answer arriving after the wait below), and its abort must still reach the command.
  const abort = new AbortController();
  const options: RunOptions = { spawn: deps.spawn, env, stderr: deps.stderr, forward: deps.forward, killDelayMs: () => killDelayMs(graceMs, marginMs), signal: abort.signal };
  const socketPath = env[SOCKET_ENV];
  if (!socketPath) {
    // Managed Instances never freeze the environment, so the extension runs no socket there: unheld is right, and silent.
    if (!managedInstances) deps.stderr(`after-response-hold: ${SOCKET_ENV} is not set (not under the lambda-after-response extension): running the command unheld\n`);
    return runCommand(args.command, options);
  }
  const host = socketHost(socketPath, ticket, deps, (event) => (graceMs = event.graceMs));
  let running: Promise<number> | undefined;
  const start = (): Promise<number> => (running ??= runCommand(args.command, options));
  return new Promise((resolve) => {
    let held = false;
    // The runtime answers within milliseconds unless its event loop is blocked, e.g. by a handler
    // running this command synchronously (execSync): waiting for it then would deadlock both.
    const timeoutMs = deps.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    const unanswered = setTimeout(() => {
      deps.stderr(`after-response-hold: no answer from the extension within ${timeoutMs} ms (run synchronously, e.g. with execSync?): running the command now\n`);
      void start().then((status) => held || (resolve(status), deps.exit(status)));
    }, timeoutMs);
    host.enqueue(async ({ signal }) => {
      held = true;
      clearTimeout(unanswered);
      follow(signal, abort);
      const status = await start();
      resolve(status);
      if (status !== 0) throw new CommandFailed(describeStatus(args.command[0], status));
    }, { name: args.name });
  });
}

/**
 * The host the job is enqueued into. Failures are reported by the exit status and the command's
 * own output, and the extension logs the job as failed by name: logging them here would say it twice.
 */
function socketHost(path: string, ticket: string | undefined, deps: HoldDeps, onAbort: SocketHostOptions['onAbort']): ReturnType<typeof createSocketHost> {
  const logger = stderrLogger(deps.stderr);
  const local = createLocalHost({ logger, reportFailures: 'silent' });
  return createSocketHost({
    path, logger, fallback: () => local, reportFailures: 'silent', ...(onAbort ? { onAbort } : {}),
    ...(ticket ? { ticket } : {}), ...(deps.connect ? { connect: deps.connect } : {}),
  });
}

/** Aborts `controller` when `signal` aborts, also if it already has. */
function follow(signal: AbortSignal, controller: AbortController): void {
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
}

/** Human-readable lines on stderr: this is a command-line tool, and its stdout is the command's. */
function stderrLogger(stderr: (text: string) => void): Logger {
  const enabled = (level: LogLevel): boolean => level !== 'TRACE' && level !== 'DEBUG';
  return { enabled, log: (level, message) => void (enabled(level) && stderr(`after-response-hold: ${level}: ${message}\n`)) };
}
