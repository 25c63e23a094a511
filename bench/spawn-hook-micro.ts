// Cost of arming the socket at init (prepareSocket: the path exported, the `child_process` and
// `worker_threads` diagnostics channels subscribed; nothing bound, nothing loaded), in fresh Node
// processes of both profiles after the builtins the runtime clients load anyway: CPU and wall
// from the call to the turn after it, against the same process not calling it.
// `npx vite-node bench/spawn-hook-micro.ts -- [--runs N]`
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { profileTools } from '../test/rig/tools.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import { summarize } from './stats.ts';

const probe = (start: boolean): string => `
import { prepareSocket } from './start-socket.ts';
for (const m of JSON.parse(process.env.BUILTINS)) process.getBuiltinModule(m);
setTimeout(() => {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  ${start ? "prepareSocket({ lifecycle: { openExternal: () => { throw new Error('unused'); } }, logger: { log: () => undefined, enabled: () => false }, env: {}, pid: process.pid, graceMs: 100 });" : ''}
  setImmediate(() => {
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0 }));
  });
}, 5);`;

function bundle(start: boolean): string {
  const resolveDir = fileURLToPath(new URL('../extension/socket/', import.meta.url));
  const out = buildSync({ stdin: { contents: probe(start), resolveDir, loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  return out.outputFiles[0]?.text ?? '';
}

function main(): void {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const runs = argv[0] === '--runs' ? Number(argv[1]) : 41;
  const variants = [['prepareSocket', bundle(true)], ['not called', bundle(false)]] as const;
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
    const node = `${profileTools(profile).nodeDir}/bin/node`;
    const out = new Map<string, { cpu: number[]; wall: number[] }>(variants.map(([n]) => [n, { cpu: [], wall: [] }]));
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < variants.length; k++) {
        const [name, code] = variants[(k + i) % variants.length]!;
        const run = spawnSync(node, ['--input-type=module', '-e', code], { env: { BUILTINS: JSON.stringify(RUNTIME_BUILTINS[profile]) }, encoding: 'utf8' });
        const r = JSON.parse(run.stdout) as { cpuMs: number; wallMs: number };
        out.get(name)?.cpu.push(r.cpuMs);
        out.get(name)?.wall.push(r.wallMs);
      }
    }
    for (const [name, r] of out) {
      const c = summarize(r.cpu);
      const w = summarize(r.wall);
      console.log(`${profile} ${name.padEnd(12)} CPU ${c.median.toFixed(2)} ms (${c.min.toFixed(2)}–${c.max.toFixed(2)}), wall ${w.median.toFixed(2)} ms (${w.min.toFixed(2)}–${w.max.toFixed(2)}), n=${c.n}`);
    }
  }
}

main();
