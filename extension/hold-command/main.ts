/**
 * `after-response-hold [--name NAME] -- command args...` (the layer's /opt/bin): runs the
 * command as a job held by the extension over its socket, and exits with the command's status.
 */
import { parseHoldArgs } from '../../shared/hold-args.ts';
import { hold } from './hold.ts';

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
const stderr = (text: string): void => void process.stderr.write(text);

function main(): void {
  const args = parseHoldArgs(process.argv.slice(2));
  if ('error' in args) {
    stderr(`after-response-hold: ${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  const { spawn } = process.getBuiltinModule('node:child_process');
  const forward = (relay: (signal: NodeJS.Signals) => void): void => FORWARDED.forEach((s) => void process.on(s, () => relay(s)));
  void hold(args, { env: process.env, spawn, forward, stderr, exit: (status) => process.exit(status) }).then((status) => (process.exitCode = status));
}

main();
