// Figure 5: per-job overhead. Holds (response posted → release) of 10,000 trivial jobs and of
// one job alternate in the same function; per job = (hold₁₀₀₀₀ − hold₁ − the jobs' own time) / 9,999.
import type { InvokeResult } from '../test/rig/types.ts';
import { cell, num } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

interface Timings {
  ownMs: number;
  enqueueMs: number;
}

const hold = (r: InvokeResult): number => (r.extensionReleasedAt ?? NaN) - (r.responsePostedAt ?? NaN);
const GOAL_US = 3;

export async function perJobOverhead(ctx: FigureContext): Promise<Row[]> {
  const n = ctx.counts.perJobJobs;
  return withFunctions(ctx.profile, [{ handler: 'per-job.handler', layer: true }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    await warmUp(box, { jobs: n }, 3);
    await warmUp(box, { jobs: 1 }, 3);
    const many: InvokeResult[] = [];
    const one: InvokeResult[] = [];
    await alternate(ctx.counts.perJobPairs, async () => void many.push(await invokeOk(box, { jobs: n })), async () => void one.push(await invokeOk(box, { jobs: 1 })));
    const perJobUs = many.map((r, i) => {
      const own = (r.json() as Timings).ownMs;
      return ((hold(r) - hold(one[i] ?? r) - own) / (n - 1)) * 1000;
    });
    const s = summarize(perJobUs);
    const enqueueUs = summarize(many.map((r) => ((r.json() as Timings).enqueueMs / n) * 1000));
    const holdMany = summarize(many.map(hold));
    const holdOne = summarize(one.map(hold));
    return [{
      figure: '5. Per-job overhead', profile: ctx.profile,
      metric: `${n.toLocaleString('en-US')} trivial jobs: (hold − 1-job hold − jobs' own time) / job; enqueue in handler ${num(enqueueUs.median, 'µs', 2)}/job`,
      measured: cell(s, 'µs', 2), baseline: `hold ${num(holdMany.median, 'ms')} vs 1 job ${num(holdOne.median, 'ms')}`,
      delta: num(holdMany.median - holdOne.median, 'ms'), ratio: '—', goal: `≤ ${GOAL_US} µs per job`, met: s.median <= GOAL_US,
    }];
  });
}
