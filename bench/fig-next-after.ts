// Figure 10: a Next.js route whose after() does 1 s of I/O (a timer), built by `open-next build`
// (test/rig/next-app.ts): response latency with the layer and withWaitUntil(aws-lambda wrapper)
// vs OpenNext's own aws-lambda wrapper without the layer, which awaits after() before it responds.
// Alternated in one run; each held invoke is checked to release only after the 1 s of work.
import { ensureNextApp } from '../test/rig/next-app.ts';
import type { InvokeResult } from '../test/rig/sandbox.ts';
import { httpEvent } from '../test/rig/http-event.ts';
import { cell, delta, ratio } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

const AFTER_MS = 1000;
const event = httpEvent('POST', '/api/after', { ms: AFTER_MS, name: 'bench-after' });

export async function nextAfterLatency(ctx: FigureContext): Promise<Row[]> {
  const { openNext } = await ensureNextApp(ctx.log);
  const specs = [
    { handler: 'index.handler', layer: true, taskDir: openNext },
    { handler: 'index.handler', layer: false, taskDir: openNext, env: { OPEN_NEXT_DEFAULT_WRAPPER: 'true' } },
  ];
  return withFunctions(ctx.profile, specs, async ([held, awaited]) => {
    if (!held || !awaited) throw new Error('no sandbox');
    await warmUp(held, event, 2);
    await warmUp(awaited, event, 2);
    const a: number[] = [];
    const b: number[] = [];
    const released: number[] = [];
    const posted = (r: InvokeResult): number => (r.responsePostedAt ?? NaN) - r.startedAt;
    const withLayer = async (): Promise<void> => {
      const r = await invokeOk(held, event);
      const release = (r.extensionReleasedAt ?? NaN) - r.startedAt;
      if (!(release >= AFTER_MS)) throw new Error(`the after() work was not held: released ${release} ms after the invoke started`);
      a.push(posted(r));
      released.push(release);
    };
    const openNextDefault = async (): Promise<void> => void b.push(posted(await invokeOk(awaited, event)));
    await alternate(Math.max(2, ctx.counts.alternativeReps * 2), withLayer, openNextDefault);
    const sa = summarize(a);
    const sb = summarize(b);
    return [{
      figure: '10. Next.js after()', profile: ctx.profile,
      metric: `invoke start → response posted, OpenNext route whose after() does 1 s of I/O; with the layer: withWaitUntil wrapper (release ${summarize(released).median.toFixed(0)} ms, after the work), baseline: OpenNext's aws-lambda wrapper (awaits after())`,
      measured: cell(sa, 'ms', 1), baseline: cell(sb, 'ms', 1), delta: delta(sa.median, sb.median, 'ms', 1),
      ratio: ratio(sa.median, sb.median), goal: 'the response does not wait for after() (< 1 s; baseline ≥ 1 s)',
      met: sa.median < AFTER_MS && sb.median >= AFTER_MS,
    }];
  });
}
