// Vitest global setup of the integration project: one rig run dir, and after all files have
// run, a check that no process started in any sandbox namespace is still alive.
import { rmSync } from 'node:fs';
import { processesOf } from './process-tree.ts';
import { registeredSandboxes, runDir, runDirVariable } from './run-dir.ts';

export function setup(): () => void {
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
