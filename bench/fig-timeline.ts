// Figure 8: one Slack-style invoke with the layer, as a timeline: invoke start, response posted,
// each job's run (reported by the fixture on a later invoke), runtime `next`, release, freeze.
import { num } from './format.ts';
import { invokeOk, toEpoch, warmUp, withFunctions } from './sandboxes.ts';
import type { FigureContext, Row, TimelineJob, TimelinePanel } from './types.ts';

interface JobRun {
  name: string;
  start: number; // epoch ms
  end: number;
}

export async function timelineFigure(ctx: FigureContext): Promise<{ panel: TimelinePanel; row: Row }> {
  return withFunctions(ctx.profile, [{ handler: 'timeline.handler', layer: true }], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    await warmUp(box, {}, 3);
    const r = await invokeOk(box, {});
    const runs = (await invokeOk(box, { report: r.requestId })).json() as JobRun[];
    const since = (t: number | undefined): number => (t ?? NaN) - r.startedAt;
    const jobs: TimelineJob[] = runs.map((j) => ({ name: j.name, start: j.start - toEpoch(r.startedAt), end: j.end - toEpoch(r.startedAt) }));
    const marks = [
      { label: 'invoke start', at: 0 },
      { label: 'response posted', at: since(r.responsePostedAt) },
      { label: 'runtime next', at: since(r.runtimeNextAt) },
      { label: 'extension release', at: since(r.extensionReleasedAt) },
      { label: 'frozen', at: since(r.frozenAt) },
    ];
    const lastEnd = Math.max(...jobs.map((j) => j.end));
    const row: Row = {
      figure: '8. Timeline', profile: ctx.profile, metric: 'one Slack-style invoke (see timeline.svg)',
      measured: `response ${num(since(r.responsePostedAt), 'ms', 1)}, last job ends ${num(lastEnd, 'ms', 1)}, release ${num(since(r.extensionReleasedAt), 'ms', 1)}`,
      baseline: '—', delta: `release − last job end ${num(since(r.extensionReleasedAt) - lastEnd, 'ms')}`, ratio: '—', goal: '—', met: undefined,
    };
    return { panel: { title: `${ctx.profile}: Slack-style handler with lambda-after-response (request ${r.requestId ?? '?'})`, marks, jobs }, row };
  });
}
