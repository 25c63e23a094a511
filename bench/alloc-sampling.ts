// Where the per-invoke allocation goes: V8's sampling heap profiler inside the runtime process
// (objects later collected by a scavenge or a mark included), over N invokes with and without
// jobs, with the layer and without. Prints bytes per invoke by owner and the top allocation sites.
// `npx vite-node bench/alloc-sampling.ts -- [--profile P] [--invokes N] [--jobs 10] [--memory MB] [--layer DIR] [--only-layer] [--top 15] [--survivors] [--env K=V]…`
// (`--survivors`: count only objects that outlived a scavenge — what makes V8 grow the young generation.)
// (`--layer`: another build of the layer, e.g. a variant being measured; `--only-layer`: skip the baseline;
// `--env K=V`, repeatable: set in the function's environment, with the layer and without.)
import { startSandbox } from '../test/rig/sandbox.ts';
import { FIXTURES, LAYER_DIR } from './sandboxes.ts';
import type { Profile } from './types.ts';
import { runScript, scriptArgs, scriptEnv, scriptOption } from './run-script.ts';

const argv = scriptArgs;
const opt = scriptOption;
const profile = opt('profile', 'nodejs24.x') as Profile;
const invokes = Number(opt('invokes', '2000'));
const jobs = Number(opt('jobs', '10'));
const memorySizeMb = Number(opt('memory', '512'));
const layerDir = opt('layer', LAYER_DIR);
const top = Number(opt('top', '15'));
const extraEnv = scriptEnv();

const OWNERS: Array<[RegExp, string]> = [[/lambda-after-response\/extension\.mjs/, 'extension'], [/lambda-after-response\/index\.mjs/, 'client'], [/alloc-probe/, 'handler'], [/runtime\/|aws-lambda-ric/, 'runtime client'], [/^node:|^$/, 'node / native']];

async function sample(layer: boolean, withJobs: number): Promise<void> {
  const box = await startSandbox({
    profile, taskDir: FIXTURES, handler: 'alloc-probe.handler', freeze: false, memorySizeMb,
    ...(layer ? { layerDir } : {}), env: { ...extraEnv, ...(layer ? { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } : {}) },
  });
  try {
    for (let i = 0; i < 200; i++) await box.invoke({ jobs: withJobs }); // warm
    await box.invoke({ sample: 'start', survivors: argv.includes('--survivors') });
    for (let i = 0; i < invokes; i++) await box.invoke({ jobs: withJobs });
    const sites = (await box.invoke({ sample: 'stop' })).json() as Array<[string, number]>;
    const owner = (site: string): string => OWNERS.find(([re]) => re.test(site.split(' ').slice(1).join(' ')))?.[1] ?? 'other';
    const byOwner = new Map<string, number>();
    for (const [site, bytes] of sites) byOwner.set(owner(site), (byOwner.get(owner(site)) ?? 0) + bytes);
    const label = `${profile} ${layer ? 'with the layer' : 'baseline'}, ${withJobs} jobs/invoke${argv.includes('--survivors') ? ', survivors of a scavenge only' : ''}`;
    const total = sites.reduce((sum, [, bytes]) => sum + bytes, 0);
    console.log(`\n${label}: ${Math.round(total / invokes)} B per invoke; by owner: ${[...byOwner].map(([o, b]) => `${o} ${Math.round(b / invokes)}`).join(', ')}`);
    for (const [site, bytes] of sites.slice(0, top)) console.log(`  ${String(Math.round(bytes / invokes)).padStart(6)} B/invoke  ${site}`);
  } finally {
    await box.stop();
  }
}

async function main(): Promise<void> {
  const runs = [[false, 0], [false, jobs], [true, 0], [true, jobs]] as const;
  for (const [layer, j] of runs.filter(([l]) => l || !argv.includes('--only-layer'))) await sample(layer, j);
}

runScript(main);
