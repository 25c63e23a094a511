// What `npm run invoke` and `npm run demo` share around their sandboxes: a rig run dir of their
// own (/tmp/lar-rig-*), removed at the end whatever happens — success, failure, Ctrl-C, SIGTERM —
// a signal that aborts on SIGINT/SIGTERM so they stop their sandboxes, and provisioning of
// only the rig tools they need.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDir, runDirVariable } from '../rig/run-dir.ts';

const PROVISION = fileURLToPath(new URL('../rig/provision.sh', import.meta.url));
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** The command was stopped by a signal; `exitCode` is the shell's 128 + the signal's number. */
export class Interrupted extends Error {
  readonly exitCode: number;

  constructor(readonly signalName: StopSignal) {
    super(`stopped by ${signalName}: the sandbox is stopped and its files removed`);
    this.exitCode = signalName === 'SIGINT' ? 130 : 143;
  }
}

/** Where SIGINT and SIGTERM arrive: `process`, or a test's emitter. */
export interface SignalSource {
  once(name: StopSignal, listener: () => void): unknown;
  off(name: StopSignal, listener: () => void): unknown;
}

/**
 * Runs `body` with a fresh rig run dir (never one inherited through `LAR_RIG_RUN_DIR`: this one is
 * removed at the end; `LAR_RIG_RUN_DIR` names it meanwhile, then is restored) and a signal aborted (reason:
 * {@link Interrupted}) on SIGINT or SIGTERM from `options.signals` (default: `process`).
 * When the signal aborted, the error `body` ends with (typically a socket error from a sandbox
 * stopped mid-invoke) is replaced by the {@link Interrupted}.
 */
export async function withRigRun<T>(body: (signal: AbortSignal) => Promise<T>, options: { readonly signals?: SignalSource } = {}): Promise<T> {
  const signals = options.signals ?? process;
  const inherited = process.env[runDirVariable];
  delete process.env[runDirVariable];
  const dir = runDir();
  const stop = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = (): void => stop.abort(new Interrupted(name));
    signals.once(name, handler);
    return { name, handler };
  });
  try {
    const result = await body(stop.signal);
    stop.signal.throwIfAborted();
    return result;
  } catch (error) {
    throw stop.signal.aborted ? (stop.signal.reason as Interrupted) : error;
  } finally {
    for (const { name, handler } of handlers) signals.off(name, handler);
    rmSync(dir, { recursive: true, force: true });
    if (inherited === undefined) delete process.env[runDirVariable];
    else process.env[runDirVariable] = inherited;
  }
}

/**
 * Provisions the rig tools `only` names (`test/rig/provision.sh --only …`: a profile, or `rig` for
 * both), all its output on stderr. Idempotent (a cached tool is checked, not rebuilt).
 * @throws {Error} when provisioning fails (its output names why) or `signal` aborts it.
 */
export function provisionRig(only: 'rig' | 'nodejs22.x' | 'nodejs24.x', signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [PROVISION, '--only', only], { stdio: ['ignore', 2, 2], signal });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`provisioning the rig failed (${PROVISION} --only ${only}, exit ${String(code)}; its output is above)`));
    });
  });
}
