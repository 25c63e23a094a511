// Init attribution: where the layer's cold-start milliseconds go, both profiles.
// `npx vite-node bench/init-attribution.ts -- [--rounds N] [--cpu-profiles K] [--profile P]... [--memory MB] [--out DIR]
//   [--reference LAYER_DIR] [--only VARIANT]...`: --reference adds the same function on another
// build of the layer (A/B of a change in one run); --only limits the variants (repeatable).
// Every round starts each variant once, back to back, in a rotating order (no variant always
// first); then K cold starts per variant with `--cpu-prof`. Writes init-attribution.{md,json,svg}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldStart, type ColdStart } from './init/measure.ts';
import { ownerTable, stepTable, variantTable, type ProfileRun } from './init/report.ts';
import { renderAttribution } from './init/svg.ts';
import { REFERENCE, setReference, VARIANTS, type Variant, type VariantName } from './init/variants.ts';
import { DEFAULT_RESULTS_DIR } from './options.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { runScript } from './run-script.ts';

interface Args { rounds: number; cpuProfiles: number; profiles: Profile[]; memorySizeMb: number; out: string; variants: Variant[] }

function parse(argv: string[]): Args {
  const args: Args = { rounds: 12, cpuProfiles: 4, profiles: [], memorySizeMb: 512, out: DEFAULT_RESULTS_DIR, variants: [...VARIANTS] };
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => argv[++i] ?? '';
    if (a === '--') continue;
    else if (a === '--rounds') args.rounds = Number(value());
    else if (a === '--cpu-profiles') args.cpuProfiles = Number(value());
    else if (a === '--profile') args.profiles.push(value() as Profile);
    else if (a === '--memory') args.memorySizeMb = Number(value());
    else if (a === '--out') args.out = value();
    else if (a === '--reference') { setReference(value()); args.variants.push(REFERENCE); }
    else if (a === '--only') only.push(value());
    else throw new Error(`unknown argument ${String(a)}`);
  }
  if (args.profiles.length === 0) args.profiles = ['nodejs22.x', 'nodejs24.x'];
  if (only.length > 0) args.variants = args.variants.filter((v) => only.includes(v.name));
  return args;
}

const PROFILED: readonly VariantName[] = ['baseline', 'wrapper extension+client'];

async function measureProfile(profile: Profile, args: Args): Promise<ProfileRun> {
  const rounds: Array<Map<VariantName, ColdStart>> = [];
  for (let i = 0; i < args.rounds; i++) {
    const round = new Map<VariantName, ColdStart>();
    const vs = args.variants;
    const order = vs.map((_, k) => vs[(k + i) % vs.length]!);
    for (const v of order) round.set(v.name, await coldStart(profile, v, { memorySizeMb: args.memorySizeMb, cpuProfile: false }));
    rounds.push(round);
    console.log(`${profile} round ${i + 1}: ${[...round.values()].map((c) => `${c.variant} ${c.initMs.toFixed(1)}`).join(', ')}`);
  }
  const profiled: ColdStart[] = [];
  for (let i = 0; i < args.cpuProfiles; i++) {
    for (const name of i % 2 === 0 ? PROFILED : [...PROFILED].reverse()) {
      profiled.push(await coldStart(profile, VARIANTS.find((v) => v.name === name)!, { memorySizeMb: args.memorySizeMb, cpuProfile: true }));
    }
  }
  return { profile, rounds, profiled };
}

function timeline(runs: readonly ProfileRun[]): string {
  const lines = ['| ms from the invoke start, median (min–max) | ' + runs.map((r) => r.profile).join(' | ') + ' |', '|---|' + runs.map(() => '---|').join('')];
  for (const name of ['wrapper extension+client', 'reference extension+client'] as const) {
    const cell = (r: ProfileRun, k: (c: ColdStart) => number | undefined): string => {
      const s = summarize(r.rounds.flatMap((x) => { const c = x.get(name); const v = c ? k(c) : undefined; return v === undefined ? [] : [v]; }));
      return `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
    };
    if (!runs[0]?.rounds.some((x) => x.has(name))) continue;
    lines.push(`| ${name}: register request reaches the Runtime API (rig proxy) | ${runs.map((r) => cell(r, (c) => c.registerSentMs)).join(' | ')} |`);
    lines.push(`| ${name}: register answered | ${runs.map((r) => cell(r, (c) => c.registerAnsweredMs)).join(' | ')} |`);
    lines.push(`| ${name}: runtime's first \`next\` | ${runs.map((r) => cell(r, (c) => c.initMs)).join(' | ')} |`);
    lines.push(`| ${name}: first \`next\` − register answered | ${runs.map((r) => cell(r, (c) => (c.registerAnsweredMs === undefined ? undefined : c.initMs - c.registerAnsweredMs))).join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const started = performance.now();
  const runs: ProfileRun[] = [];
  for (const p of args.profiles) runs.push(await measureProfile(p, args));
  const seconds = (performance.now() - started) / 1000;
  const md = [
    `# Init attribution (${new Date().toISOString().slice(0, 16)}Z, ${args.memorySizeMb} MB, ${args.rounds} rounds, ${args.cpuProfiles} CPU profiles per variant, ${seconds.toFixed(0)} s)`,
    '', 'Generated by `bench/init-attribution.ts`. Cold starts under RIE through the rig (recording proxy in the Runtime API path).',
    'Each round starts every variant once, back to back, in a rotating order; a step\'s Δ is the median of its per-round differences (IQR in brackets).',
    '', '## Variants', '', variantTable(runs, args.variants.map((v) => v.name)),
    '', '## Split into causes', '', stepTable(runs),
    '', '## Registration timeline', '', timeline(runs),
    '', '## CPU profile of the runtime process, profiler start → first `next`', '',
    'Samples every 100 µs, attributed to the innermost frame of a known owner (`node module loader`: node\'s loader with no owner frame on the stack, e.g. linking the handler\'s imports). The profiler itself slows the process, so walls are longer than above.',
    '', args.cpuProfiles > 0 ? ownerTable(runs, 'wrapper extension+client') : '(no CPU profiles in this run)', '',
  ].join('\n');
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'init-attribution.md'), md);
  writeFileSync(join(args.out, 'init-attribution.json'), `${JSON.stringify(runs.map((r) => ({ profile: r.profile, rounds: r.rounds.map((x) => Object.fromEntries(x)), profiled: r.profiled.map(({ samples: _s, ...rest }) => rest) })), null, 1)}\n`);
  writeFileSync(join(args.out, 'init-attribution.svg'), renderAttribution(runs));
  console.log(md);
}

runScript(main);
