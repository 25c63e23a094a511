// Writes a throwaway function code dir (the sandbox's /var/task) for a test.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from './run-dir.ts';
import { copyFixture, installPackages } from './task-packages.ts';

/** Creates a dir under the rig run dir (removed with it) holding `files` (name -> content). */
export function writeTaskDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(runDir(), 'task-'));
  // mkdtemp makes it 0700; RIE's Managed Instances mode runs the runtime as uid 993, not root.
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/**
 * A copy of a fixture dir whose `node_modules` holds exactly `packages` and their dependency
 * closures, copied as a deployment package would hold them (see task-packages.ts); other
 * workspace packages stay invisible, as on Lambda.
 */
export function taskDirWithPackages(fixtureDir: string, packages: readonly string[]): string {
  const dir = mkdtempSync(join(runDir(), 'task-'));
  chmodSync(dir, 0o755);
  copyFixture(fixtureDir, dir);
  installPackages(dir, packages);
  return dir;
}
