// Figure 12: what a task costs, under the rig with ElasticMQ on loopback. In one function, in
// ABBA order: response posted → release with one no-op job, with one no-op task, and with one
// no-op write-ahead task (its SendMessage runs on that path, after the response; besides, each
// write-ahead task costs one extra message and one extra delivery, an invoke that reports it
// done). Then, with a 3 s timeout, a task that ignores its signal: the grace's end (the
// "abandoning" line) → the message stored (the "task sent" line, logged once SQS answered).
import { startElasticMq, type ElasticMq } from '../test/rig/elasticmq.ts';
import type { InvokeResult, Sandbox } from '../test/rig/types.ts';
import { cell, delta, ratio } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

const FIGURE = '12. Tasks';
// The grace ends at deadline − 250 ms (margin 500, grace 250, the defaults); the release waits for
// hand-offs until deadline − 50 ms: 200 ms for the message to be stored.
const HAND_OFF_BUDGET_MS = 200;
const hold = (r: InvokeResult): number => (r.extensionReleasedAt ?? NaN) - (r.responsePostedAt ?? NaN);

/** The layer's JSON log lines in some output. */
function layerLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').filter((line) => line.includes('"source":"lambda-after-response"')).flatMap((line) => {
    try {
      return [JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Holds of `kind` and of a plain job, alternating (ABBA), `pairs` of each. */
async function holds(box: Sandbox, kind: string, pairs: number): Promise<{ task: number[]; job: number[] }> {
  const task: number[] = [];
  const job: number[] = [];
  await alternate(pairs, async () => void task.push(hold(await invokeOk(box, { kind }))), async () => void job.push(hold(await invokeOk(box, { kind: 'job' }))));
  return { task, job };
}

/** Grace's end → message stored, per overrun invoke (epoch ms of two log lines of the same invoke). */
async function handOffs(box: Sandbox, times: number): Promise<number[]> {
  await invokeOk(box, { kind: 'task' }); // the sender warmed, as it is at a real deadline
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const mark = box.logMark();
    await box.invoke({ kind: 'overrun' });
    const lines = layerLines(box.logsSince(mark));
    const abandoned = lines.find((l) => String(l.message).startsWith('abandoning unfinished jobs'));
    const sent = lines.find((l) => String(l.message).startsWith('task sent to the queue: it was still running'));
    if (abandoned && sent) out.push(Date.parse(String(sent.timestamp)) - Date.parse(String(abandoned.timestamp)));
  }
  return out;
}

export async function taskOverhead(ctx: FigureContext): Promise<Row[]> {
  const mq: ElasticMq = await startElasticMq();
  try {
    const queue = await mq.createQueue(`bench-tasks-${ctx.profile.replace('.', '-')}-${Date.now()}`);
    const env = { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: queue.url };
    const pairs = ctx.counts.responsePairs;
    const perInvoke = await withFunctions(ctx.profile, [{ handler: 'tasks-bench.handler', layer: true, env, memorySizeMb: ctx.memorySizeMb }], async ([box]) => {
      if (!box) throw new Error('no sandbox');
      for (const kind of ['job', 'task', 'write-ahead']) await warmUp(box, { kind }, 5); // the SDK loaded, the connection open
      return { task: await holds(box, 'task', pairs), writeAhead: await holds(box, 'write-ahead', pairs) };
    });
    const overruns = Math.max(2, Math.min(5, ctx.counts.coldStarts));
    const handOff = summarize(await withFunctions(ctx.profile, [{ handler: 'tasks-bench.handler', layer: true, env, timeoutSeconds: 3 }], ([box]) => (box ? handOffs(box, overruns) : Promise.reject(new Error('no sandbox')))));
    const row = (metric: string, measured: number[], baseline: number[]): Row => {
      const m = summarize(measured);
      const b = summarize(baseline);
      return { figure: FIGURE, profile: ctx.profile, metric, measured: cell(m, 'ms'), baseline: `one no-op job ${cell(b, 'ms')}`, delta: delta(m.median, b.median, 'ms'), ratio: ratio(m.median, b.median), goal: '—', met: undefined };
    };
    return [
      row('response → release with one no-op task', perInvoke.task.task, perInvoke.task.job),
      row('response → release with one no-op write-ahead task (its SendMessage; plus one extra message and one extra delivery per task)', perInvoke.writeAhead.task, perInvoke.writeAhead.job),
      { figure: FIGURE, profile: ctx.profile, metric: 'hand-off at the deadline: the grace\'s end → the message stored (warm sender)', measured: cell(handOff, 'ms'), baseline: '—', delta: '—', ratio: '—', goal: `≤ ${HAND_OFF_BUDGET_MS} ms`, met: handOff.n > 0 ? handOff.max <= HAND_OFF_BUDGET_MS : undefined },
    ];
  } finally {
    await mq.stop();
  }
}
