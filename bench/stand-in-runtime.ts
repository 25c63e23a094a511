// A stand-in for the runtime and its Runtime API, for counting a preload's init cost in a fresh
// node process outside the rig: a script that loads the builtins the runtime clients load anyway
// (so a preload is not billed for loading them first) and exits after a while, and a local
// Extensions API that answers `register` and holds `next`. bench/init-floor.ts, init-floor-workload.ts and
// init-micro.ts use them.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { countingCommand, parseInstructions } from './instruction-count.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import type { Profile } from './types.ts';

export interface StandInOptions {
  /** Then it imports the module whose path is its first argument, as the runtime clients import the handler before their first `next` (a dynamic `import()` of its file URL), before the wait. */
  readonly importHandler?: boolean;
  /** Then it prints, at its exit, the young generation's bytes in use (all it allocated there when nothing collected: NO_SCAVENGE in init-floor-workload.ts), read with node:v8 loaded last. */
  readonly reportYoungBytes?: boolean;
}

const YOUNG_BYTES = "process.stdout.write(String(process.getBuiltinModule('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size));";

/**
 * The stand-in runtime's script. `exitAfterMs`: under valgrind (~50× slower) 1,500 ms, so a
 * preload's round trips are done (waiting costs no instructions).
 */
export function standInScript(profile: Profile, exitAfterMs: number, options: StandInOptions = {}): string {
  const handler = options.importHandler ? "await import(process.getBuiltinModule('node:url').pathToFileURL(process.argv[2]).href);\n" : '';
  const exit = `${options.reportYoungBytes ? YOUNG_BYTES : ''}process.exit(0);`;
  return `for (const m of ${JSON.stringify(RUNTIME_BUILTINS[profile])}) process.getBuiltinModule(m);\n${handler}setTimeout(() => { ${exit} }, ${exitAfterMs});\n`;
}

export interface StandInApi {
  readonly address: string; // AWS_LAMBDA_RUNTIME_API
  close(): void;
}

/** A loopback Extensions API: `register` answered 200 with an identifier, `next` held open. */
export function standInApi(): Promise<StandInApi> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => sockets.delete(socket)); // the child exits with its long-poll open
    socket.on('data', (chunk) => {
      if (chunk.toString('latin1').startsWith('POST /2020-01-01/extension/register')) {
        socket.write('HTTP/1.1 200 OK\r\nlambda-extension-identifier: x\r\ncontent-length: 2\r\n\r\n{}');
      } // next: held
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    resolve({ address: `127.0.0.1:${String(port)}`, close: () => { for (const s of sockets) s.destroy(); server.close(); } });
  }));
}

/** What a stand-in script with `reportYoungBytes` printed, run without valgrind. Throws with the child's stderr when it fails. */
export async function youngBytes(node: string, args: readonly string[], env: Record<string, string>): Promise<number> {
  const { out } = await runChild(node, args, env, args);
  const bytes = Number(out.trim());
  if (!Number.isFinite(bytes)) throw new Error(`node ${args.join(' ')}: printed ${JSON.stringify(out.slice(-100))}, not a byte count`);
  return bytes;
}

/**
 * Instructions `node args…` executes (instruction-count.ts), run asynchronously so a stand-in API
 * in this process keeps answering. Throws with the child's stderr when it fails.
 */
export async function countNode(node: string, args: readonly string[], env: Record<string, string>): Promise<number> {
  const { command, args: full } = countingCommand(node, args);
  return parseInstructions((await runChild(command, full, env, args)).errors);
}

/** Runs `command` with only PATH and `env`; its stdout and stderr, or an error naming `shown` (node's own arguments) and its stderr's end when it exits non-zero. */
function runChild(command: string, args: readonly string[], env: Record<string, string>, shown: readonly string[]): Promise<{ out: string; errors: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errors = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    child.once('error', reject).once('close', (code) => {
      if (code !== 0) return reject(new Error(`node ${shown.join(' ')}: exit ${String(code)}: ${errors.slice(-600)}`));
      resolve({ out, errors });
    });
  });
}
