// Runs a bench script's `main` and, when the script created the rig's run dir itself (no
// enclosing run set LAR_RIG_RUN_DIR), removes that dir at the end, whatever the outcome.
import { rmSync } from 'node:fs';
import { runDirVariable } from '../test/rig/run-dir.ts';

/** Runs `main`; an error is printed and sets exit code 1 (the script never calls `process.exit`). */
export function runScript(main: () => Promise<void>): void {
  const ownRunDir = process.env[runDirVariable] === undefined;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  }).finally(() => {
    const dir = process.env[runDirVariable];
    if (ownRunDir && dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
}

/** The script's arguments, npm's `--` separator left out. */
export const scriptArgs: readonly string[] = process.argv.slice(2).filter((a) => a !== '--');

/** The value after `--name` in the script's arguments, or `fallback` when it is absent. */
export function scriptOption(name: string, fallback: string): string {
  const i = scriptArgs.indexOf(`--${name}`);
  return i === -1 ? fallback : (scriptArgs[i + 1] ?? fallback);
}

/** `--name`'s value as an integer ≥ 1, or `fallback` when it is absent; anything else throws, naming the option and the value. */
export function scriptCount(name: string, fallback: number): number {
  const value = scriptOption(name, String(fallback));
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Expected \`--${name}\` to be an integer ≥ 1, got ${JSON.stringify(value)}`);
  return n;
}

/** `K=V` (an `--env` value) as [K, V]; anything else throws, naming the value. */
export function envAssignment(arg: string): [string, string] {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`Expected \`--env\` to be K=V, got \`${arg}\``);
  return [arg.slice(0, at), arg.slice(at + 1)];
}

/** Every `--env K=V` of the script's arguments, as an environment. */
export function scriptEnv(): Record<string, string> {
  return Object.fromEntries(scriptArgs.flatMap((arg, i) => (scriptArgs[i - 1] === '--env' ? [envAssignment(arg)] : [])));
}
