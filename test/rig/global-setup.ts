// Vitest global setup of the integration project: one rig run dir, and after all files have
// run, a check that no process started in any sandbox namespace is still alive.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceProblem } from './namespace-mode.ts';
import { processesOf } from './process-tree.ts';
import { registeredSandboxes, runDir, runDirVariable } from './run-dir.ts';

/** Removes run dirs of interrupted runs: older than an hour and without live processes. */
function removeStaleRunDirs(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith('lar-rig-'))) {
    const dir = join(tmpdir(), name);
    try {
      const old = Date.now() - statSync(dir).mtimeMs > 3_600_000;
      if (old && processesOf(registeredSandboxes(dir)).length === 0) rmSync(dir, { recursive: true, force: true });
    } catch {
      // unreadable or removed meanwhile: leave it
    }
  }
}

export function setup(): () => void {
  const problem = namespaceProblem();
  if (problem !== undefined) throw new Error(problem);
  removeStaleRunDirs();
  delete process.env[runDirVariable];
  const dir = runDir(); // exported through the env to the test workers started after this
  return () => {
    const left = processesOf(registeredSandboxes(dir));
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      const list = left.map((p) => `${p.pid} ${p.cmdline}`).join('\n');
      throw new Error(`rig: processes started by the integration suite were still running (now killed):\n${list}`);
    }
  };
}
