// Figure 4: release latency, last job settles → extension `next`. The fixture's last job keeps
// its end time (epoch ms) in module memory and the next invoke returns it; the release time
// is the recording proxy's, converted to epoch with this process's performance.timeOrigin.
import type { InvokeResult } from '../test/rig/types.ts';
import { cell, delta, ratio } from './format.ts';
import { invokeOk, toEpoch, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

interface Previous {
  previous?: { requestId: string; endedAt: number };
}

/** Pairs each invoke's release with the job end the following invoke reported. */
function latencies(results: InvokeResult[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < results.length; i++) {
    const prev = results[i - 1];
    const reported = (results[i]?.json() as Previous).previous;
    if (!prev || !reported || reported.requestId !== prev.requestId) throw new Error('release fixture reported another invoke');
    out.push(toEpoch(prev.extensionReleasedAt ?? NaN) - reported.endedAt);
  }
  return out;
}

export async function releaseLatency(ctx: FigureContext): Promise<Row[]> {
  return withFunctions(ctx.profile, [{ handler: 'release.handler', layer: true }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    await warmUp(box, {});
    const results: InvokeResult[] = [];
    for (let i = 0; i <= ctx.counts.releaseInvokes; i++) results.push(await invokeOk(box, {}));
    const s = summarize(latencies(results));
    // Baseline: how fast the runtime itself calls `next` after posting its response.
    const base = summarize(results.map((r) => (r.runtimeNextAt ?? NaN) - (r.responsePostedAt ?? NaN)));
    return [{
      figure: '4. Release latency', profile: ctx.profile, metric: 'last job settles → extension `next` (baseline: response posted → runtime `next`)',
      measured: cell(s, 'ms', 2, true), baseline: cell(base, 'ms', 2, true), delta: delta(s.median, base.median, 'ms'),
      ratio: ratio(s.median, base.median), goal: 'median ≤ 1 ms, p99 ≤ 3 ms', met: s.median <= 1 && s.p99 <= 3,
    }];
  });
}
