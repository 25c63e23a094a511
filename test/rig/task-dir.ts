// Writes a throwaway function code dir (the sandbox's /var/task) for a test.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from './run-dir.ts';

/** Creates a dir under the rig run dir (removed with it) holding `files` (name -> content). */
export function writeTaskDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(runDir(), 'task-'));
  // mkdtemp makes it 0700; RIE's Managed Instances mode runs the runtime as uid 993, not root.
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
