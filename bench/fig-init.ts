// Figure 1: init overhead, on the trivial and the realistic workload (workloads.ts). RIE
// initialises lazily, on the first invoke, so a cold invoke's start → the runtime's first `next`
// (seen by the recording proxy) stands in for "runtime process start → first next"; both
// variants pay the same RIE and bootstrap costs. The realistic workload also reports the cold
// invoke's start → response posted (init, plus the first run of its handler: first `fetch`, first
// enqueue), what a caller waits for on a cold start. Wall times stretch with the machine's load
// (a cold start's CPU work waits for a core); the CPU time the runtime process used through the
// cold invoke does not, so it is reported beside them (trivial workload).
import { cell, delta, ratio } from './format.ts';
import { cpuMs } from './proc-reading.ts';
import { invokeOk, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';
import { loadAverage, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const GOAL_MS = 5;

interface Cold { init: number; response: number; cpu: number }

async function coldStart(ctx: FigureContext, spec: FunctionSpec, event: unknown): Promise<Cold> {
  return withFunctions(ctx.profile, [{ ...spec, memorySizeMb: ctx.memorySizeMb }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    const result = await invokeOk(box, event);
    const first = result.calls.find((c) => c.kind === 'runtime-next');
    if (!first) throw new Error('no runtime next observed on a cold start');
    // Frozen now (freeze emulation): the process's CPU time is that of the whole cold invoke.
    return { init: first.startedAt - result.startedAt, response: (result.responsePostedAt ?? NaN) - result.startedAt, cpu: cpuMs(result.runtimePid ?? NaN) };
  });
}

function row(ctx: FigureContext, metric: string, a: number[], b: number[], goal: boolean): Row {
  const sa = summarize(a);
  const sb = summarize(b);
  return {
    figure: '1. Init overhead', profile: ctx.profile, metric,
    measured: cell(sa, 'ms', 1), baseline: cell(sb, 'ms', 1), delta: delta(sa.median, sb.median, 'ms', 1),
    ratio: ratio(sa.median, sb.median), goal: goal ? `≤ ${GOAL_MS} ms added` : '—', met: goal ? sa.median - sb.median <= GOAL_MS : undefined,
  };
}

async function workloadRows(ctx: FigureContext, workload: Workload): Promise<Row[]> {
  const fns = workloadFunctions(workload, ctx.serviceUrl);
  const a: Cold[] = [];
  const b: Cold[] = [];
  for (let i = 0; i < ctx.counts.coldStarts; i++) {
    // ABBA order: a new sandbox per cold start, one alive at a time.
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const withLayer of order) (withLayer ? a : b).push(await coldStart(ctx, withLayer ? fns.cold.with : fns.cold.without, fns.event));
  }
  ctx.log(`  init ${ctx.profile} ${workload} ${ctx.memorySizeMb} MB done, load average ${loadAverage()}`);
  const rows = [row(ctx, `${workload}: cold invoke start → runtime's first \`next\` (lazy init under RIE), ${ctx.memorySizeMb} MB`, a.map((c) => c.init), b.map((c) => c.init), true)];
  // Trivial only: there both functions do nothing in the invoke; the realistic baseline's
  // un-awaited jobs may be frozen before they finish, the layer's are not.
  if (workload === 'trivial') rows.push(row(ctx, `${workload}: CPU time of the runtime process (all threads) through the cold invoke, ${ctx.memorySizeMb} MB`, a.map((c) => c.cpu), b.map((c) => c.cpu), false));
  if (workload === 'realistic') rows.push(row(ctx, `${workload}: cold invoke start → response posted (init + the handler's first run), ${ctx.memorySizeMb} MB`, a.map((c) => c.response), b.map((c) => c.response), false));
  return rows;
}

export async function initOverhead(ctx: FigureContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const workload of WORKLOADS) rows.push(...(await workloadRows(ctx, workload)));
  return rows;
}
