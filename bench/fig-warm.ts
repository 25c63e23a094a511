// Figure 2: warm invoke overhead with no jobs. Two functions alive at once (with and without
// the layer); invokes alternate, so the idle one is frozen and both see the same machine state.
import type { InvokeResult } from '../test/rig/types.ts';
import { cell, delta, ratio } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

/** Response posted → the environment may freeze (the runtime's `next`, and the extension's if any). */
function postToRelease(r: InvokeResult): number {
  const end = Math.max(r.runtimeNextAt ?? NaN, r.extensionReleasedAt ?? -Infinity);
  return end - (r.responsePostedAt ?? NaN);
}

export async function warmOverhead(ctx: FigureContext): Promise<Row[]> {
  const specs = [{ handler: 'noop-client.handler', layer: true }, { handler: 'noop.handler', layer: false }];
  return withFunctions(ctx.profile, specs, async ([withLayer, without]) => {
    if (!withLayer || !without) throw new Error('no sandbox');
    await warmUp(withLayer, {});
    await warmUp(without, {});
    const a: InvokeResult[] = [];
    const b: InvokeResult[] = [];
    await alternate(ctx.counts.warmPairs, async () => void a.push(await invokeOk(withLayer, {})), async () => void b.push(await invokeOk(without, {})));
    return [roundTrip(ctx, a, b), gap(ctx, a, b)];
  });
}

function roundTrip(ctx: FigureContext, a: InvokeResult[], b: InvokeResult[]): Row {
  const sa = summarize(a.map((r) => r.durationMs));
  const sb = summarize(b.map((r) => r.durationMs));
  const added = sa.median - sb.median;
  return {
    figure: '2. Warm invoke overhead', profile: ctx.profile, metric: 'invoke round trip, no jobs',
    measured: cell(sa, 'ms', 2, true), baseline: cell(sb, 'ms', 2, true), delta: delta(sa.median, sb.median, 'ms'),
    ratio: ratio(sa.median, sb.median), goal: 'ratio ≤ 1.03 and ≤ 0.3 ms added', met: sa.median / sb.median <= 1.03 && added <= 0.3,
  };
}

function gap(ctx: FigureContext, a: InvokeResult[], b: InvokeResult[]): Row {
  const sa = summarize(a.map(postToRelease));
  const sb = summarize(b.map(postToRelease));
  return {
    figure: '2. Warm invoke overhead', profile: ctx.profile, metric: 'response posted → environment released (runtime and extension `next`)',
    measured: cell(sa, 'ms', 2, true), baseline: cell(sb, 'ms', 2, true), delta: delta(sa.median, sb.median, 'ms'),
    ratio: ratio(sa.median, sb.median), goal: '≤ 0.3 ms added', met: sa.median - sb.median <= 0.3,
  };
}
