// Soak: N invokes with 10 jobs each under freeze emulation; prints the runtime's open fds and RSS
// at points along the way (figures, never assertions). `npx vite-node bench/soak.ts -- [N] [profile]`.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../test/rig/sandbox.ts';
import type { Profile } from '../test/rig/types.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const total = Number(args[0] ?? 10_000);
const profile = (args[1] ?? 'nodejs24.x') as Profile;
const taskDir = fileURLToPath(new URL('../test/fixtures/bench', import.meta.url));
const layerDir = fileURLToPath(new URL('../dist/layer', import.meta.url));

const sample = (pid: number) => ({
  fds: readdirSync(`/proc/${pid}/fd`).length,
  rssMb: Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 102.4) / 10,
});

const box = await startSandbox({ profile, taskDir, handler: 'queued.handler', layerDir, memorySizeMb: 512, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } });
const started = performance.now();
try {
  let pid = 0;
  for (let i = 1; i <= total; i++) {
    const result = await box.invoke({ jobs: 10 });
    if (result.status !== 200 || result.body.includes('timed out')) throw new Error(`invoke ${i}: ${result.status} ${result.body}`);
    pid = result.runtimePid ?? pid;
    if (i === 1 || i === 1000 || i % 2500 === 0 || i === total) console.log(JSON.stringify({ profile, invoke: i, pid, ...sample(pid) }));
  }
  console.log(`${profile}: ${total} invokes with 10 jobs each in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await box.stop();
}
