// Shared set-up for the product's integration tests: the built layer, the fixture functions,
// and reading what the fixtures leave in the sandbox's /tmp.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, onTestFailed } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../rig/sandbox.ts';
import { taskDirWithPackages } from '../rig/task-dir.ts';

export const LAYER_DIR = fileURLToPath(new URL('../../dist/layer', import.meta.url));
export const APP_DIR = fileURLToPath(new URL('../fixtures/app', import.meta.url));
export const PROFILES = ['nodejs22.x', 'nodejs24.x'] as const;

/** Epoch milliseconds of a test-process `performance.now()` reading (fixtures log epoch times). */
export const toEpoch = (t: number): number => performance.timeOrigin + t;

/**
 * Starts a sandbox with the built layer at /opt and the exec wrapper set (unless `withoutLayer`).
 * `packages`: real npm packages (installed dev dependencies) the fixture imports, placed in
 * /var/task/node_modules like a deployment package's.
 */
export async function startWithLayer(options: Omit<SandboxOptions, 'taskDir'> & { taskDir?: string; withoutLayer?: true; packages?: readonly string[] }): Promise<Sandbox> {
  if (!existsSync(`${LAYER_DIR}/after-response`)) throw new Error(`${LAYER_DIR} is missing: run ./build.sh first`);
  const { withoutLayer, packages, ...rest } = options;
  const layer = withoutLayer ? { env: rest.env ?? {} } : { layerDir: LAYER_DIR, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response', ...rest.env } };
  const taskDir = packages ? taskDirWithPackages(rest.taskDir ?? APP_DIR, packages) : rest.taskDir ?? APP_DIR;
  return startSandbox({ ...rest, taskDir, ...layer });
}

/** One sandbox per describe block: stopped after it, its output attached to any failing test. */
export function sandboxFor(start: () => Promise<Sandbox>): () => Promise<Sandbox> {
  let sandbox: Promise<Sandbox> | undefined;
  afterAll(async () => {
    if (sandbox) await (await sandbox).stop();
  });
  return async () => {
    sandbox ??= start();
    const ready = await sandbox;
    onTestFailed(() => console.error(`--- sandbox output ---\n${ready.logs()}`));
    return ready;
  };
}

/**
 * A mark left by a fixture in the sandbox's /tmp, or undefined — also while the fixture is still
 * writing it (a poll read `{"at":` once, on a loaded machine): the next poll sees it whole.
 */
export function readMark(sandbox: Sandbox, name: string): { at: number; pid: number; [key: string]: unknown } | undefined {
  const path = `${sandbox.tmpDir}/${name}.json`;
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { at: number; pid: number };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export function clearMarks(sandbox: Sandbox, ...names: string[]): void {
  for (const name of names) rmSync(`${sandbox.tmpDir}/${name}.json`, { force: true });
}

/** The extension's JSON log lines in some output. */
export function extensionLogs(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.includes('"source":"lambda-after-response"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}
