import { createLocalHost } from '../../client/local-host.ts';
import type { Logger, LogLevel } from '../../client/log-line.ts';
import { createSocketHost, type SocketHostOptions } from '../../client/socket-host.ts';
import { SOCKET_ENV, TICKET_ENV } from '../../client/socket-wire.ts';
import { parseConfig } from '../config.ts';
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
  const options: RunOptions = { spawn: deps.spawn, env, stderr: deps.stderr, forward: deps.forward, killDelayMs: () => killDelayMs(graceMs, marginMs) };
  const socketPath = env[SOCKET_ENV];
  if (!socketPath) {
    // Managed Instances never freeze the environment, so the extension runs no socket there: unheld is right, and silent.
    if (!managedInstances) deps.stderr(`after-response-hold: ${SOCKET_ENV} is not set (not under the lambda-after-response extension): running the command unheld\n`);
    return runCommand(args.command, options);
  }
  // Failures are reported by the exit status and the command's own output, and the extension
  // logs the job as failed by name: logging them here as well would say it twice.
  const logger = stderrLogger(deps.stderr);
  const local = createLocalHost({ logger, reportFailures: 'silent' });
  const host = createSocketHost({
    path: socketPath, logger, fallback: () => local, reportFailures: 'silent', onAbort: (event) => (graceMs = event.graceMs),
    ...(ticket ? { ticket } : {}), ...(deps.connect ? { connect: deps.connect } : {}),
  });
  let running: Promise<number> | undefined;
  const start = (signal?: AbortSignal): Promise<number> => (running ??= runCommand(args.command, signal ? { ...options, signal } : options));
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
      const status = await start(signal);
      resolve(status);
      if (status !== 0) throw new CommandFailed(describeStatus(args.command[0], status));
    }, { name: args.name });
  });
}

/** Human-readable lines on stderr: this is a command-line tool, and its stdout is the command's. */
function stderrLogger(stderr: (text: string) => void): Logger {
  const enabled = (level: LogLevel): boolean => level !== 'TRACE' && level !== 'DEBUG';
  return { enabled, log: (level, message) => void (enabled(level) && stderr(`after-response-hold: ${level}: ${message}\n`)) };
}
