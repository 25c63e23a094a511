// The rig's per-run directory: sandbox temp dirs and the namespace registry the leftover check reads.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxIdentity } from './process-tree.ts';

export const runDirVariable = 'LAR_RIG_RUN_DIR';

/** Set by the global setup; a worker started without it gets a run dir of its own. */
export function runDir(): string {
  let dir = process.env[runDirVariable];
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'lar-rig-'));
    process.env[runDirVariable] = dir;
  }
  mkdirSync(join(dir, 'namespaces'), { recursive: true });
  return dir;
}

export function registeredSandboxes(dir: string): SandboxIdentity[] {
  const nsDir = join(dir, 'namespaces');
  const names = (() => {
    try {
      return readdirSync(nsDir);
    } catch {
      return [];
    }
  })();
  return names.map((n) => JSON.parse(readFileSync(join(nsDir, n), 'utf8')) as SandboxIdentity);
}
