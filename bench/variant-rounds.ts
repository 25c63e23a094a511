// Figure 6's three functions — the layer, the floor, no layer — in rounds, for the memory
// benches beside the figure (memory-compilers.ts, memory-reclaim.ts): each round starts them anew,
// rotates them through the same invokes, then reads each; the table rows give each variant's
// medians over the rounds and the differences layer − no layer and layer − floor (ours).
import type { Sandbox } from '../test/rig/types.ts';
import { invokeOk, rotate, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { workloadFunctions, type Workload } from './workloads.ts';

export const VARIANTS = ['layer', 'floor', 'no layer'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One round's functions: the runtime, the workload, Lambda's memory size (MB), the invokes, extra environment. */
export interface RoundOptions {
  readonly profile: Profile;
  readonly workload: Workload;
  readonly serviceUrl: string;
  readonly memorySizeMb: number;
  readonly invokes: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** One round: the three functions started anew (freeze emulation off), rotated through `invokes` invokes, then read in turn. */
export async function variantRound<R>(o: RoundOptions, read: (box: Sandbox) => Promise<R>): Promise<Record<Variant, R>> {
  const fns = workloadFunctions(o.workload, o.serviceUrl);
  const spec = (s: FunctionSpec): FunctionSpec => ({ ...s, freeze: false, memorySizeMb: o.memorySizeMb, env: { ...s.env, ...o.env } });
  return withFunctions(o.profile, [fns.memory.with, fns.memory.floor, fns.memory.without].map(spec), async (boxes) => {
    await rotate(o.invokes, boxes.map((box) => async (): Promise<void> => void (await invokeOk(box, fns.event))));
    const [layer, floor, none] = [await read(boxes[0]!), await read(boxes[1]!), await read(boxes[2]!)];
    return { layer, floor, 'no layer': none };
  });
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/**
 * Markdown rows `| label | variant | part… | per round |` for each variant (its medians over the
 * rounds, then `perRound` of each round), then `**layer − no layer**` and `**layer − floor (ours)**`
 * (differences of the medians).
 */
export function variantRows<P extends string>(label: string, parts: readonly P[], readings: ReadonlyArray<Record<Variant, Record<P, number>>>, perRound: (r: Record<P, number>) => string): string[] {
  const median = (v: Variant): Record<P, number> => Object.fromEntries(parts.map((p) => [p, summarize(readings.map((r) => r[v][p])).median])) as Record<P, number>;
  const m = Object.fromEntries(VARIANTS.map((v) => [v, median(v)])) as Record<Variant, Record<P, number>>;
  const diff = (a: Variant, b: Variant): string => parts.map((p) => signed(m[a][p] - m[b][p])).join(' | ');
  return [
    ...VARIANTS.map((v) => `| ${label} | ${v} | ${parts.map((p) => m[v][p].toFixed(1)).join(' | ')} | ${readings.map((r) => perRound(r[v])).join(', ')} |`),
    `| ${label} | **layer − no layer** | ${diff('layer', 'no layer')} | |`,
    `| ${label} | **layer − floor (ours)** | ${diff('layer', 'floor')} | |`,
  ];
}
