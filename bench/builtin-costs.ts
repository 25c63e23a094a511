// What loading a Node builtin costs at its first use, in a fresh `node` process of each Lambda
// Node major: the reasons the extension takes builtins through `process.getBuiltinModule` and
// leaves `node:worker_threads`, `perf_hooks`' `performance`, `node:cluster` (the socket's first
// `listen`) and `node:http` out of its init. Wall time of the one step (process.hrtime around
// it), median of N processes; the process's own start-up is not counted.
// `npx vite-node bench/builtin-costs.ts -- [--runs N]`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { runScript, scriptOption } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

const STEPS: Record<string, string> = {
  'nothing': '',
  'import() of a builtin (node:os)': "await import('node:os');",
  'process.getBuiltinModule of a builtin (node:os)': "process.getBuiltinModule('node:os');",
  "import('node:http')": "await import('node:http');",
  'node:worker_threads': "process.getBuiltinModule('node:worker_threads');",
  'the `performance` global, first use': 'globalThis.performance.now();',
  'node:cluster': "process.getBuiltinModule('node:cluster');",
};

/** One fresh process: the step's wall time, in ms. */
function once(node: string, dir: string, step: string): number {
  const file = join(dir, 'step.mjs');
  writeFileSync(file, `const t0 = process.hrtime.bigint();\n${step}\nconsole.log(Number(process.hrtime.bigint() - t0) / 1e6);\n`);
  const out = spawnSync(node, [file], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${node} ${file} failed: ${out.stderr}`);
  return Number(out.stdout.trim());
}

async function main(): Promise<void> {
  const runs = Number(scriptOption('runs', '15'));
  const dir = mkdtempSync(join(tmpdir(), 'builtin-costs-'));
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as Profile[]) {
    const node = join(profileTools(profile).nodeDir, 'bin', 'node');
    for (const [name, step] of Object.entries(STEPS)) {
      const ms = Array.from({ length: runs }, () => once(node, dir, step));
      console.log(`${profile} ${name}: ${summarize(ms).median.toFixed(2)} ms (median of ${String(runs)} processes)`);
    }
  }
}

runScript(main);
