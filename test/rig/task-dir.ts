// Writes a throwaway function code dir (the sandbox's /var/task) for a test.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from './run-dir.ts';

/** The workspace's node_modules: where the pinned dev dependencies a fixture may use live. */
const WORKSPACE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** Creates a dir under the rig run dir (removed with it) holding `files` (name -> content). */
export function writeTaskDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(runDir(), 'task-'));
  // mkdtemp makes it 0700; RIE's Managed Instances mode runs the runtime as uid 993, not root.
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/**
 * A copy of a fixture dir whose `node_modules` holds exactly `packages` (as a deployment package
 * would): each is a symlink to the workspace's installed copy, so its own dependencies resolve
 * from there (Node follows symlinks to the real path) and nothing is copied. The sandbox sees
 * `/var/task/node_modules/<name>`; other packages stay invisible, as on Lambda.
 */
export function taskDirWithPackages(fixtureDir: string, packages: readonly string[]): string {
  const dir = mkdtempSync(join(runDir(), 'task-'));
  chmodSync(dir, 0o755);
  cpSync(fixtureDir, dir, { recursive: true });
  for (const name of packages) {
    const source = join(WORKSPACE_MODULES, name);
    if (!existsSync(join(source, 'package.json'))) throw new Error(`the fixture needs ${name}, which is not installed in ${WORKSPACE_MODULES}: add it to devDependencies`);
    const target = join(dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(source, target);
  }
  return dir;
}
