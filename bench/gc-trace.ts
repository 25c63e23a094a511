// Why the young generation grows: V8's GC trace (--trace-gc-nvp, switched on inside the runtime
// process after the first invoke) over N invokes of figure 6's trivial functions, with the layer
// and without. Prints per function: scavenges, bytes promoted per invoke, and from the last
// scavenge the new space's capacity and V8's allocation throughput (bytes per ms of mutator time;
// V8 shrinks the new space only while that is below 1,000 B/ms: `Heap::ReduceNewSpaceSize`).
// `npx vite-node bench/gc-trace.ts -- [--profile P] [--invokes N] [--memory MB] [--layer DIR]`
import { startSandbox } from '../test/rig/sandbox.ts';
import { runScript } from './run-script.ts';
import { FIXTURES, LAYER_DIR } from './sandboxes.ts';
import type { Profile } from './types.ts';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, fallback: string): string => { const i = argv.indexOf(`--${name}`); return i === -1 ? fallback : (argv[i + 1] ?? fallback); };
const field = (line: string, name: string): number => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? NaN);

async function trace(profile: Profile, layerDir: string | undefined, invokes: number, memorySizeMb: number): Promise<string> {
  const box = await startSandbox({
    profile, taskDir: FIXTURES, handler: layerDir ? 'memory-layer.handler' : 'memory-bare.handler', freeze: false, memorySizeMb,
    ...(layerDir ? { layerDir, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } } : {}),
  });
  try {
    await box.invoke({ traceGc: true });
    for (let i = 0; i < invokes; i++) await box.invoke({});
    const gcs = box.logs().split('\n').filter((l) => / gc=(s|mc|mmc|ms) /.test(l));
    const promoted = gcs.reduce((sum, l) => sum + field(l, 'promoted'), 0);
    const last = gcs.at(-1) ?? '';
    const throughput = field(last, 'new_space_allocation_throughput');
    const capacity = field(last, 'new_space_capacity'); // not printed by Node 22's V8
    const capacityText = Number.isFinite(capacity) ? `new space capacity ${(capacity / 1048576).toFixed(1)} MB, ` : '';
    return `${gcs.length} GCs (${gcs.filter((l) => / gc=s /.test(l)).length} scavenges), promoted ${(promoted / invokes).toFixed(0)} B per invoke; last scavenge: ${capacityText}allocation throughput ${throughput.toFixed(0)} B/ms`;
  } finally {
    await box.stop();
  }
}

async function main(): Promise<void> {
  const profile = opt('profile', 'nodejs24.x') as Profile;
  const invokes = Number(opt('invokes', '1000'));
  const memorySizeMb = Number(opt('memory', '512'));
  console.log(`${profile} ${memorySizeMb} MB, ${invokes} invokes, baseline: ${await trace(profile, undefined, invokes, memorySizeMb)}`);
  console.log(`${profile} ${memorySizeMb} MB, ${invokes} invokes, with the layer: ${await trace(profile, opt('layer', LAYER_DIR), invokes, memorySizeMb)}`);
}

runScript(main);
