// Figure 6: memory, on the trivial and the realistic workload (workloads.ts). Runtime RSS (VmRSS
// of the runtime process, after a gc) with and without the layer after the same invokes with ten
// jobs each, alternating; both continue, alternating, to the leak-check count. Besides RSS: heap
// used, the young generation, V8's committed heap and its malloc'd memory (measure.mjs), so a
// gap can be split into V8's heap and the rest (code pages, native allocations). Freeze emulation is off here: it does not change RSS and halves the time
// per invoke. The floor (floor-layer.ts) is measured after the same invokes, rotated with the other
// two, to split the RSS gap into what any internal extension layer holds and what is ours.
import type { Sandbox } from '../test/rig/types.ts';
import { delta, num, ratio } from './format.ts';
import { anonymousMb, rssMb } from './proc-reading.ts';
import { alternate, invokeOk, rotate, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';
import { loadAverage, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const MB = 1024 * 1024;

export interface Reading {
  rssMb: number;
  heapMb: number;
  externalMb: number;
  /** V8's young generation (new space) as reserved, after the gc: what per-invoke garbage grows. */
  youngMb: number;
  /** V8's committed heap, every space (physical size). */
  committedMb: number;
  /** Memory V8 allocated with malloc (compiler zones, ICs…), not in the heap. */
  mallocedMb: number;
  /**
   * Anonymous memory not lazily freed (smaps_rollup `Anonymous` − `LazyFree`): what the kernel
   * cannot reclaim without swap, unlike RSS's clean file-backed pages (the `node` binary's code,
   * V8's compilers among it), which it takes back under a memory limit (bench/reclaim-check.ts).
   */
  anonMb: number;
}

/** Median of three gc'd readings: VmRSS from /proc, heap and new space from the function itself. */
export async function measure(box: Sandbox): Promise<Reading> {
  const samples: Record<keyof Reading, number[]> = { rssMb: [], heapMb: [], externalMb: [], youngMb: [], committedMb: [], mallocedMb: [], anonMb: [] };
  for (let i = 0; i < 3; i++) {
    const r = await invokeOk(box, { measure: true });
    samples.rssMb.push(rssMb(r.runtimePid ?? NaN));
    samples.anonMb.push(anonymousMb(r.runtimePid ?? NaN));
    const usage = r.json() as { heapUsed: number; external: number; newSpace: number; heapPhysical: number; malloced: number };
    samples.heapMb.push(usage.heapUsed / MB);
    samples.externalMb.push(usage.external / MB);
    samples.youngMb.push(usage.newSpace / MB);
    samples.committedMb.push(usage.heapPhysical / MB);
    samples.mallocedMb.push(usage.malloced / MB);
  }
  const median = (k: keyof Reading): number => summarize(samples[k]).median;
  return { rssMb: median('rssMb'), heapMb: median('heapMb'), externalMb: median('externalMb'), youngMb: median('youngMb'), committedMb: median('committedMb'), mallocedMb: median('mallocedMb'), anonMb: median('anonMb') };
}

export async function memoryFigure(ctx: FigureContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const workload of WORKLOADS) rows.push(...(await workloadMemory(ctx, workload)));
  return rows;
}

/** Figure 6's three functions of `workload` at the context's size (the layer, no layer, the floor), fresh; `once(box)` invokes one with the workload's event. */
export function withMemoryFunctions<T>(ctx: FigureContext, workload: Workload, run: (boxes: { withLayer: Sandbox; without: Sandbox; floor: Sandbox }, once: (box: Sandbox) => () => Promise<void>) => Promise<T>): Promise<T> {
  const fns = workloadFunctions(workload, ctx.serviceUrl);
  const specs = [fns.memory.with, fns.memory.without, fns.memory.floor].map((spec) => ({ ...spec, freeze: false, memorySizeMb: ctx.memorySizeMb }));
  return withFunctions(ctx.profile, specs, async ([withLayer, without, floor]) => {
    if (!withLayer || !without || !floor) throw new Error('no sandbox');
    return run({ withLayer, without, floor }, (box) => async () => void (await invokeOk(box, fns.event)));
  });
}

async function workloadMemory(ctx: FigureContext, workload: Workload): Promise<Row[]> {
  const { memoryInvokes, leakInvokes } = ctx.counts;
  const size = ctx.memorySizeMb;
  return withMemoryFunctions(ctx, workload, async ({ withLayer, without, floor }, once) => {
    await rotate(memoryInvokes, [once(withLayer), once(without), once(floor)]);
    const a = await measure(withLayer);
    const b = await measure(without);
    const f = await measure(floor);
    // The floor stays out of the leak check: it runs no jobs, so it has no growth of ours to compare.
    await alternate(leakInvokes - memoryInvokes, once(withLayer), once(without));
    const lateA = await measure(withLayer);
    const lateB = await measure(without);
    ctx.log(`  memory ${ctx.profile} ${workload} ${size} MB: ${a.rssMb.toFixed(1)} MB with, ${b.rssMb.toFixed(1)} MB without, ${f.rssMb.toFixed(1)} MB the floor; after ${leakInvokes}: ${lateA.rssMb.toFixed(1)} / ${lateB.rssMb.toFixed(1)} MB; load average ${loadAverage()}`);
    return [
      rssRow(ctx, workload, a, b),
      rssRow(ctx, workload, a, f, { split: 'layer − floor (ours)' }),
      rssRow(ctx, workload, f, b, { split: 'floor − no layer (any such layer)' }),
      anonRow(ctx, workload, a, b),
      anonRow(ctx, workload, a, f, { split: 'layer − floor (ours)' }),
      growthRow(ctx, workload, { early: a, late: lateA }, { early: b, late: lateB }),
    ];
  });
}

/** What an RSS row and an anonymous-memory row share: the metric's head (workload, split, size), and `a` against `b` in `key`. */
function gapRow(ctx: FigureContext, workload: string, key: 'rssMb' | 'anonMb', pair: { readonly a: Reading; readonly b: Reading; readonly split: string | undefined }, metric: string): Omit<Row, 'goal' | 'met'> {
  const { a, b, split } = pair;
  return {
    figure: '6. Memory', profile: ctx.profile,
    metric: `${workload}${split === undefined ? '' : `, ${split}`}: ${ctx.memorySizeMb} MB function: ${metric}`,
    measured: num(a[key], 'MB', 1), baseline: num(b[key], 'MB', 1), delta: delta(a[key], b[key], 'MB', 1), ratio: ratio(a[key], b[key]),
  };
}

/**
 * `split`: a row of the layer's gap split at the floor (floor-layer.ts; its function runs the ten
 * jobs as un-awaited promises, like the baseline's): the ≤ 3 MB goal applies to "layer − floor".
 */
export function rssRow(ctx: FigureContext, workload: string, a: Reading, b: Reading, options: { readonly split?: string } = {}): Row {
  const n = ctx.counts.memoryInvokes.toLocaleString('en-US');
  const vs = (k: keyof Reading): string => `${num(a[k], 'MB')} vs ${num(b[k], 'MB')}`;
  const goal = options.split === undefined || options.split.startsWith('layer') ? '≤ 3 MB added' : undefined;
  const metric = `runtime RSS after ${n} invokes with 10 jobs each (heap ${vs('heapMb')}; young generation ${vs('youngMb')}; V8 committed ${vs('committedMb')}; V8 malloc'd ${vs('mallocedMb')})`;
  return { ...gapRow(ctx, workload, 'rssMb', { a, b, split: options.split }, metric), goal: goal ?? '—', met: goal === undefined ? undefined : a.rssMb - b.rssMb <= 3 };
}

/**
 * The same gap in anonymous memory only: what a memory limit must leave the function besides the
 * file-backed pages it uses (the kernel reclaims clean file-backed pages before it kills anything,
 * and reads those in use again and again: bench/reclaim-check.ts). Beside the RSS
 * rows, not instead: the goal stays RSS's.
 */
export function anonRow(ctx: FigureContext, workload: string, a: Reading, b: Reading, options: { readonly split?: string } = {}): Row {
  const n = ctx.counts.memoryInvokes.toLocaleString('en-US');
  const metric = `anonymous memory after ${n} invokes with 10 jobs each (RSS without its clean file-backed pages: what cannot be reclaimed without swap)`;
  return { ...gapRow(ctx, workload, 'anonMb', { a, b, split: options.split }, metric), goal: '—', met: undefined };
}

interface Growth {
  early: Reading;
  late: Reading;
}

const grown = (g: Growth, key: keyof Reading): number => g.late[key] - g.early[key];

/** "No growth" = at most 1 MB more growth than the baseline's (RSS moves in page-sized steps). */
function growthRow(ctx: FigureContext, workload: Workload, a: Growth, b: Growth): Row {
  const from = ctx.counts.memoryInvokes.toLocaleString('en-US');
  const to = ctx.counts.leakInvokes.toLocaleString('en-US');
  const extra = (key: keyof Reading): string => `heap ${delta(grown(a, key), 0, 'MB')} vs ${delta(grown(b, key), 0, 'MB')}`;
  return {
    figure: '6. Memory', profile: ctx.profile,
    metric: `${workload}: ${ctx.memorySizeMb} MB function: leak check: RSS growth from invoke ${from} to ${to} (${extra('heapMb')}; young generation ${delta(grown(a, 'youngMb'), 0, 'MB')} vs ${delta(grown(b, 'youngMb'), 0, 'MB')}; external ${delta(grown(a, 'externalMb'), 0, 'MB')} vs ${delta(grown(b, 'externalMb'), 0, 'MB')})`,
    measured: delta(grown(a, 'rssMb'), 0, 'MB', 1), baseline: delta(grown(b, 'rssMb'), 0, 'MB', 1),
    delta: delta(grown(a, 'rssMb'), grown(b, 'rssMb'), 'MB', 1), ratio: ratio(grown(a, 'rssMb'), grown(b, 'rssMb')),
    goal: 'no growth (≤ 1 MB more than the baseline)', met: grown(a, 'rssMb') - grown(b, 'rssMb') <= 1,
  };
}
