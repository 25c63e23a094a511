// Figure 3: response latency with 10 queued jobs vs none, alternating in one function with the
// layer (job functions start only after the response is posted).
import { cell, delta, ratio } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize, type Summary } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

/** "No measurable difference": the medians differ by less than the noise of the baseline. */
function noMeasurableDifference(a: Summary, b: Summary, iqrHalf: number): boolean {
  return Math.abs(a.median - b.median) <= Math.max(0.1, iqrHalf);
}

function halfIqr(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
  return (at(0.75) - at(0.25)) / 2;
}

export async function responseLatency(ctx: FigureContext): Promise<Row[]> {
  return withFunctions(ctx.profile, [{ handler: 'queued.handler', layer: true }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    await warmUp(box, { jobs: 10 });
    const a: number[] = [];
    const b: number[] = [];
    const posted = async (jobs: number): Promise<number> => {
      const r = await invokeOk(box, { jobs });
      return (r.responsePostedAt ?? NaN) - r.startedAt;
    };
    await alternate(ctx.counts.responsePairs, async () => void a.push(await posted(10)), async () => void b.push(await posted(0)));
    const sa = summarize(a);
    const sb = summarize(b);
    return [{
      figure: '3. Response latency with jobs', profile: ctx.profile, metric: 'invoke start → response posted, 10 queued jobs vs none',
      measured: cell(sa, 'ms', 2, true), baseline: cell(sb, 'ms', 2, true), delta: delta(sa.median, sb.median, 'ms'),
      ratio: ratio(sa.median, sb.median), goal: 'no measurable difference (|Δ| ≤ max(0.1 ms, ½ IQR))',
      met: noMeasurableDifference(sa, sb, halfIqr(b)),
    }];
  });
}
