// The init attribution as tables: the A/B split into causes (paired by round) and the CPU
// profile split by owner, both profiles.
import { summarize } from '../stats.ts';
import { msByOwner, OWNERS, type Owner } from './cpu-profile.ts';
import type { ColdStart } from './measure.ts';
import type { VariantName } from './variants.ts';

export interface ProfileRun {
  readonly profile: string;
  readonly rounds: ReadonlyArray<ReadonlyMap<VariantName, ColdStart>>;
  readonly profiled: readonly ColdStart[];
}

export const STEPS: ReadonlyArray<{ cause: string; with: VariantName; without: VariantName }> = [
  { cause: 'exec wrapper (`sh`) + an empty `--import` preload', with: 'wrapper+empty preload', without: 'baseline' },
  { cause: 'the extension: load, compile, run, registration before the first `next`', with: 'wrapper extension', without: 'wrapper+empty preload' },
  { cause: 'the client, imported by the handler (through the rig\'s resolve hook)', with: 'wrapper extension+client', without: 'wrapper extension' },
  { cause: 'total (as figure 1 measures it)', with: 'wrapper extension+client', without: 'baseline' },
  { cause: 'of which the `sh` exec alone (wrapper vs NODE_OPTIONS, both with the extension)', with: 'wrapper extension', without: 'NODE_OPTIONS extension' },
  { cause: 'this build vs the `--reference` build (both wrapper extension+client)', with: 'wrapper extension+client', without: 'reference extension+client' },
];

const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const signed = (n: number, d = 1): string => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(d)}` : 'n/a');

/** Median of the per-round differences (each round runs every variant back to back), with its spread. */
export function pairedDelta(run: ProfileRun, a: VariantName, b: VariantName): { median: number; lo: number; hi: number; n: number } {
  const d = run.rounds.flatMap((r) => {
    const x = r.get(a)?.initMs;
    const y = r.get(b)?.initMs;
    return x !== undefined && y !== undefined ? [x - y] : [];
  }).sort((p, q) => p - q);
  const q = (p: number): number => d[Math.min(d.length - 1, Math.max(0, Math.round(p * (d.length - 1))))] ?? NaN;
  return { median: summarize(d).median, lo: q(0.25), hi: q(0.75), n: d.length };
}

export function variantTable(runs: readonly ProfileRun[], names: readonly VariantName[]): string {
  const lines = ['| variant | ' + runs.map((r) => `${r.profile}: invoke start → first \`next\` (ms), median (min–max, n)`).join(' | ') + ' |', '|---|' + runs.map(() => '---|').join('')];
  for (const name of names) {
    const cells = runs.map((r) => {
      const s = summarize(r.rounds.flatMap((x) => { const c = x.get(name); return c ? [c.initMs] : []; }));
      return `${f(s.median)} (${f(s.min)}–${f(s.max)}, n=${s.n})`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function stepTable(runs: readonly ProfileRun[]): string {
  const lines = ['| cause | ' + runs.map((r) => `${r.profile} Δ ms (IQR)`).join(' | ') + ' |', '|---|' + runs.map(() => '---|').join('')];
  for (const step of STEPS) {
    if (pairedDelta(runs[0]!, step.with, step.without).n === 0) continue; // a variant not run
    const cells = runs.map((r) => { const d = pairedDelta(r, step.with, step.without); return `${signed(d.median)} (${signed(d.lo)} … ${signed(d.hi)})`; });
    lines.push(`| ${step.cause} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Mean ms per owner in the runtime process, profiler start → first `next`. */
export function ownerMeans(runs: readonly ColdStart[]): Record<Owner, number> & { wall: number; beforeProfile: number } {
  const out = Object.fromEntries(OWNERS.map((o) => [o, 0])) as Record<Owner, number>;
  for (const r of runs) {
    const by = msByOwner(r.samples ?? [], -Infinity, r.initMs);
    for (const o of OWNERS) out[o] += by[o] / runs.length;
  }
  const mean = (k: (r: ColdStart) => number): number => runs.reduce((s, r) => s + k(r), 0) / runs.length;
  return { ...out, wall: mean((r) => r.initMs), beforeProfile: mean((r) => r.profileStartMs ?? NaN) };
}

export function ownerTable(runs: readonly ProfileRun[], withName: VariantName): string {
  const head = runs.map((r) => `${r.profile} baseline | with | Δ`).join(' | ');
  const lines = [`| where the time goes (CPU profile, mean ms) | ${head} |`, '|---|' + runs.map(() => '---|---|---|').join('')];
  const means = runs.map((r) => ({
    a: ownerMeans(r.profiled.filter((c) => c.variant === withName)),
    b: ownerMeans(r.profiled.filter((c) => c.variant === 'baseline')),
  }));
  const row = (label: string, key: Owner | 'wall' | 'beforeProfile'): string =>
    `| ${label} | ${means.map(({ a, b }) => `${f(b[key])} | ${f(a[key])} | ${signed(a[key] - b[key])}`).join(' | ')} |`;
  lines.push(row('invoke start → profiler start (RIE, bootstrap, `sh`, node start)', 'beforeProfile'));
  for (const o of OWNERS) lines.push(row(o, o));
  lines.push(row('wall: invoke start → first `next` (with the profiler on)', 'wall'));
  return lines.join('\n');
}
