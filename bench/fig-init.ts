// Figure 1: init overhead, on the trivial and the realistic workload (workloads.ts). RIE
// initialises lazily, on the first invoke, so a cold invoke's start → the runtime's first `next`
// (seen by the recording proxy) stands in for "runtime process start → first next"; every
// variant pays the same RIE and bootstrap costs. The realistic workload also reports the cold
// invoke's start → response posted (init, plus the first run of its handler: first `fetch`, first
// enqueue), what a caller waits for on a cold start. Wall times stretch with the machine's load
// (a cold start's CPU work waits for a core); the CPU time the runtime process used through the
// cold invoke does not, so it is reported beside them (trivial workload).
// A third variant, the floor (floor-layer.ts: a minimal internal extension layer, its handler
// importing a one-line package from it), splits the layer's cost in two: layer − floor (our
// extension's and client's code beyond that minimum) and floor − no layer (what any layer that
// holds the environment this way pays: the exec wrapper, a preload, the first TCP connect, the
// handler's first package resolution from a layer).
import { cell, delta, ratio } from './format.ts';
import { cpuMs } from './proc-reading.ts';
import { invokeOk, rotate, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';
import { loadAverage, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const GOAL_MS = 5;

interface Cold { init: number; response: number; cpu: number }
type Variant = 'layer' | 'floor' | 'none';
const VARIANTS: readonly Variant[] = ['layer', 'floor', 'none'];

async function coldStart(ctx: FigureContext, spec: FunctionSpec, event: unknown): Promise<Cold> {
  return withFunctions(ctx.profile, [{ ...spec, memorySizeMb: ctx.memorySizeMb }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    const result = await invokeOk(box, event);
    const first = result.calls.find((c) => c.kind === 'runtime-next');
    if (!first) throw new Error('no runtime next observed on a cold start');
    // A layer's numbers count only if its extension registered in time (else it did less than one).
    const register = result.calls.find((c) => c.kind === 'extension-register');
    if (spec.layer !== false && (register?.status !== 200 || !(register.endedAt < first.startedAt))) {
      throw new Error(`${spec.handler}: the extension did not register before the runtime's first next (register: ${JSON.stringify(register ?? null)})`);
    }
    // Frozen now (freeze emulation): the process's CPU time is that of the whole cold invoke.
    return { init: first.startedAt - result.startedAt, response: (result.responsePostedAt ?? NaN) - result.startedAt, cpu: cpuMs(result.runtimePid ?? NaN) };
  });
}

interface RowOptions {
  /** The goal's wording (`≤ 5 ms added`), judged on the medians' difference; undefined: no goal. */
  readonly goal?: string;
}

function row(ctx: FigureContext, metric: string, a: number[], b: number[], options: RowOptions = {}): Row {
  const sa = summarize(a);
  const sb = summarize(b);
  return {
    figure: '1. Init overhead', profile: ctx.profile, metric,
    measured: cell(sa, 'ms', 1), baseline: cell(sb, 'ms', 1), delta: delta(sa.median, sb.median, 'ms', 1),
    ratio: ratio(sa.median, sb.median), goal: options.goal ?? '—', met: options.goal === undefined ? undefined : sa.median - sb.median <= GOAL_MS,
  };
}

/** The three variants, rotated (rotate(): a new sandbox per cold start, one alive at a time). */
async function coldStarts(ctx: FigureContext, workload: Workload): Promise<Record<Variant, Cold[]>> {
  const fns = workloadFunctions(workload, ctx.serviceUrl);
  const specs: Record<Variant, FunctionSpec> = { layer: fns.cold.with, floor: fns.cold.floor, none: fns.cold.without };
  const out: Record<Variant, Cold[]> = { layer: [], floor: [], none: [] };
  await rotate(ctx.counts.coldStarts, VARIANTS.map((variant) => async () => void out[variant].push(await coldStart(ctx, specs[variant], fns.event))));
  return out;
}

async function workloadRows(ctx: FigureContext, workload: Workload): Promise<Row[]> {
  const cold = await coldStarts(ctx, workload);
  ctx.log(`  init ${ctx.profile} ${workload} ${ctx.memorySizeMb} MB done, load average ${loadAverage()}`);
  const mb = `${ctx.memorySizeMb} MB`;
  const of = (variant: Variant, key: keyof Cold): number[] => cold[variant].map((c) => c[key]);
  const init = "cold invoke start → runtime's first `next`";
  const goal = `≤ ${GOAL_MS} ms added`;
  const rows = [
    row(ctx, `${workload}: ${init} (lazy init under RIE), ${mb}`, of('layer', 'init'), of('none', 'init'), { goal }),
    row(ctx, `${workload}, layer − floor (ours): ${init}, ${mb}`, of('layer', 'init'), of('floor', 'init'), { goal: `${goal} over the floor` }),
    row(ctx, `${workload}, floor − no layer (any such layer): ${init}, ${mb}`, of('floor', 'init'), of('none', 'init')),
  ];
  // Trivial only: there every function does nothing in the invoke; the realistic baseline's
  // un-awaited jobs may be frozen before they finish, the layer's are not.
  if (workload === 'trivial') {
    const cpu = 'CPU time of the runtime process (all threads) through the cold invoke';
    rows.push(
      row(ctx, `${workload}: ${cpu}, ${mb}`, of('layer', 'cpu'), of('none', 'cpu')),
      row(ctx, `${workload}, layer − floor (ours): ${cpu}, ${mb}`, of('layer', 'cpu'), of('floor', 'cpu')),
      row(ctx, `${workload}, floor − no layer (any such layer): ${cpu}, ${mb}`, of('floor', 'cpu'), of('none', 'cpu')),
    );
  }
  if (workload === 'realistic') rows.push(row(ctx, `${workload}: cold invoke start → response posted (init + the handler's first run), ${mb}`, of('layer', 'response'), of('none', 'response')));
  return rows;
}

export async function initOverhead(ctx: FigureContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const workload of WORKLOADS) rows.push(...(await workloadRows(ctx, workload)));
  return rows;
}
