import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface RunOptions {
  readonly spawn: (program: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  /** Aborts when the invoke's deadline nears: SIGTERM at once, SIGKILL after `killDelayMs()`. */
  readonly signal?: AbortSignal;
  /** Read at the abort: the extension's abort event, just before it, says how long it waits. */
  readonly killDelayMs: () => number;
  readonly env: NodeJS.ProcessEnv;
  /** Signals this process forwards to the command (so the wrapper behaves like the command). */
  readonly forward: (relay: (signal: NodeJS.Signals) => void) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command with inherited stdio in its own process group; resolves with its exit status (128 + signal when killed). */
export function runCommand(command: readonly [string, ...string[]], options: RunOptions): Promise<number> {
  const [program, ...args] = command;
  return new Promise((resolve) => {
    // Its own process group, so SIGTERM/SIGKILL reach what the command started too (`sh -c`).
    const child = options.spawn(program, args, { stdio: 'inherit', env: options.env, detached: true });
    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      const delayMs = options.killDelayMs();
      options.stderr(`after-response-hold: the invoke's deadline is near: SIGTERM to ${program}, SIGKILL in ${delayMs} ms\n`);
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), delayMs);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    options.forward(kill);
    child.once('error', (error) => {
      options.stderr(`after-response-hold: cannot run ${program}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(code ?? 128 + (signal ? signals()[signal] : 0));
    });
  });
}

/** Why a held command counts as failed (the extension logs it with the job's name). */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export function describeStatus(program: string, status: number): string {
  const signal = Object.entries(signals()).find(([, number]) => number === status - 128)?.[0];
  return status > 128 && signal ? `${program} was killed by ${signal} (status ${status})` : `${program} exited with status ${status}`;
}

/** Loaded without `import`: the bundle is a plain script that runs whether Node reads it as CJS or ESM. */
function signals(): Record<NodeJS.Signals, number> {
  return process.getBuiltinModule('node:os').constants.signals;
}
