/**
 * `after-response-hold [--name NAME] -- command args...` (the layer's /opt/bin): runs the
 * command as a job held by the extension over its socket, and exits with the command's status.
 */
import { createLocalHost } from '../../client/local-host.ts';
import type { Logger } from '../../client/log-line.ts';
import { createSocketHost, SOCKET_ENV } from '../../client/socket-host.ts';
import { parseConfig } from '../config.ts';
import { TICKET_ENV } from '../socket/spawn-reservations.ts';
import { parseHoldArgs } from './hold-args.ts';
import { CommandFailed, describeStatus, runCommand, type RunOptions } from './run-command.ts';

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
const ANSWER_TIMEOUT_MS = 1000;
const stderr = (text: string): void => void process.stderr.write(text);

/** Human-readable lines on stderr: this is a command-line tool, and its stdout is the command's. */
const logger: Logger = {
  enabled: (level) => level !== 'TRACE' && level !== 'DEBUG',
  log: (level, message) => (message === 'job failed' ? undefined : stderr(`after-response-hold: ${level}: ${message}\n`)),
};

function main(): void {
  const args = parseHoldArgs(process.argv.slice(2));
  if ('error' in args) {
    stderr(`after-response-hold: ${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  const { [TICKET_ENV]: ticket, ...env } = process.env;
  const socketPath = env[SOCKET_ENV];
  // The same formula as the extension's abort event: SIGKILL lands inside the deadline margin.
  const graceMs = Math.floor(parseConfig(env).config.deadlineMarginMs / 2);
  const { spawn } = process.getBuiltinModule('node:child_process');
  const options: RunOptions = { spawn, graceMs, env, stderr, forward: (relay) => FORWARDED.forEach((s) => process.on(s, () => relay(s))) };
  if (!socketPath) {
    stderr(`after-response-hold: ${SOCKET_ENV} is not set (not under the lambda-after-response extension): running the command unheld\n`);
    void runCommand(args.command, options).then((status) => (process.exitCode = status));
    return;
  }
  const local = createLocalHost({ logger });
  const host = createSocketHost({ path: socketPath, logger, fallback: () => local, ...(ticket ? { ticket } : {}) });
  let running: Promise<number> | undefined;
  let held = false;
  const start = (signal?: AbortSignal): Promise<number> => (running ??= runCommand(args.command, signal ? { ...options, signal } : options));
  host.enqueue(async ({ signal }) => {
    held = true;
    clearTimeout(unanswered);
    const status = await start(signal);
    process.exitCode = status;
    if (status !== 0) throw new CommandFailed(describeStatus(args.command[0], status));
  }, { name: args.name });
  // The runtime answers within milliseconds unless its event loop is blocked, e.g. by a handler
  // running this command synchronously (execSync): waiting for it then would deadlock both.
  const unanswered = setTimeout(() => {
    stderr(`after-response-hold: no answer from the extension within ${ANSWER_TIMEOUT_MS} ms (run synchronously, e.g. with execSync?): running the command now\n`);
    void start().then((status) => held || process.exit(status));
  }, ANSWER_TIMEOUT_MS);
}

main();
