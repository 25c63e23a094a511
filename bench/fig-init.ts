// Figure 1: init overhead. RIE initialises lazily, on the first invoke, so a cold invoke's
// start → the runtime's first `next` (seen by the recording proxy) stands in for
// "runtime process start → first next"; both variants pay the same RIE and bootstrap costs.
import { cell, delta, ratio } from './format.ts';
import { invokeOk, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

const WITH: FunctionSpec = { handler: 'noop-client.handler', layer: true };
const WITHOUT: FunctionSpec = { handler: 'noop.handler', layer: false };
const GOAL_MS = 5;

async function coldInitMs(ctx: FigureContext, spec: FunctionSpec): Promise<number> {
  return withFunctions(ctx.profile, [{ ...spec, memorySizeMb: ctx.memorySizeMb }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    const result = await invokeOk(box, {});
    const first = result.calls.find((c) => c.kind === 'runtime-next');
    if (!first) throw new Error('no runtime next observed on a cold start');
    return first.startedAt - result.startedAt;
  });
}

export async function initOverhead(ctx: FigureContext): Promise<Row[]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ctx.counts.coldStarts; i++) {
    // ABBA order: a new sandbox per cold start, one alive at a time.
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const withLayer of order) (withLayer ? a : b).push(await coldInitMs(ctx, withLayer ? WITH : WITHOUT));
  }
  const sa = summarize(a);
  const sb = summarize(b);
  const added = sa.median - sb.median;
  return [{
    figure: '1. Init overhead', profile: ctx.profile,
    metric: `cold invoke start → runtime's first \`next\` (lazy init under RIE), ${ctx.memorySizeMb} MB`,
    measured: cell(sa, 'ms', 1), baseline: cell(sb, 'ms', 1), delta: delta(sa.median, sb.median, 'ms', 1),
    ratio: ratio(sa.median, sb.median), goal: `≤ ${GOAL_MS} ms added`, met: added <= GOAL_MS,
  }];
}

