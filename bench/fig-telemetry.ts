// Figure 9: telemetry flush off the response path. One span per invoke, exported with the real
// OpenTelemetry SDK to a loopback collector that answers after 50 ms (an exporter round trip):
// flushed before returning vs by flushAfterResponse, alternating in one function. Also the cost
// of a registered (no-op) flusher on a warm invoke with no jobs, against the same function with
// none registered, interleaved.
import type { InvokeResult } from '../test/rig/types.ts';
import { LoopbackCollector } from '../test/rig/loopback-collector.ts';
import { cell, delta, ratio } from './format.ts';
import { alternate, invokeOk, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

const PACKAGES = ['@opentelemetry/api', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http'];
const FIGURE = '9. Telemetry flush';
const EXPORT_ROUND_TRIP_MS = 50;

export async function telemetryFlush(ctx: FigureContext): Promise<Row[]> {
  const collector = new LoopbackCollector(EXPORT_ROUND_TRIP_MS);
  const url = `${await collector.listen()}/v1/traces`;
  const spec = (flusher: boolean) => ({
    handler: 'telemetry.handler', layer: true, packages: PACKAGES,
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, BENCH_FLUSHER: String(flusher) },
  });
  try {
    return await withFunctions(ctx.profile, [spec(true), spec(false)], async ([withFlusher, without]) => {
      if (!withFlusher || !without) throw new Error('no sandbox');
      return [await responseRow(ctx, withFlusher), ...(await flusherCostRows(ctx, withFlusher, without))];
    });
  } finally {
    await collector.close();
  }
}

async function responseRow(ctx: FigureContext, box: Parameters<typeof invokeOk>[0]): Promise<Row> {
  await warmUp(box, { mode: 'after' }, 10);
  await warmUp(box, { mode: 'await' }, 10);
  const after: InvokeResult[] = [];
  const awaited: InvokeResult[] = [];
  await alternate(ctx.counts.responsePairs, async () => void after.push(await invokeOk(box, { mode: 'after' })), async () => void awaited.push(await invokeOk(box, { mode: 'await' })));
  const posted = (r: InvokeResult): number => (r.responsePostedAt ?? NaN) - r.startedAt;
  const sa = summarize(after.map(posted));
  const sb = summarize(awaited.map(posted));
  const release = summarize(after.map((r) => (r.extensionReleasedAt ?? NaN) - (r.responsePostedAt ?? NaN)));
  return {
    figure: FIGURE, profile: ctx.profile,
    metric: `invoke start → response posted, one span exported (${EXPORT_ROUND_TRIP_MS} ms round trip): flushAfterResponse vs forceFlush before returning; with the flusher, response → release ${cell(release, 'ms', 1)}`,
    measured: cell(sa, 'ms', 2, true), baseline: cell(sb, 'ms', 2, true), delta: delta(sa.median, sb.median, 'ms'),
    ratio: ratio(sa.median, sb.median), goal: `the ${EXPORT_ROUND_TRIP_MS} ms export off the response path`, met: sb.median - sa.median >= EXPORT_ROUND_TRIP_MS * 0.9,
  };
}

/** A warm invoke with no jobs and no span: a no-op flusher registered vs none (same function, same code). */
async function flusherCostRows(ctx: FigureContext, withFlusher: Parameters<typeof invokeOk>[0], without: Parameters<typeof invokeOk>[0]): Promise<Row[]> {
  await warmUp(withFlusher, { mode: 'none' });
  await warmUp(without, { mode: 'none' });
  const a: InvokeResult[] = [];
  const b: InvokeResult[] = [];
  await alternate(ctx.counts.warmPairs, async () => void a.push(await invokeOk(withFlusher, { mode: 'none' })), async () => void b.push(await invokeOk(without, { mode: 'none' })));
  const gap = (r: InvokeResult): number => Math.max(r.runtimeNextAt ?? NaN, r.extensionReleasedAt ?? -Infinity) - (r.responsePostedAt ?? NaN);
  const rows: Array<[string, (r: InvokeResult) => number]> = [['invoke round trip, no jobs: a no-op flusher registered vs none', (r) => r.durationMs], ['response posted → released, no jobs: a no-op flusher vs none', gap]];
  return rows.map(([metric, pick]) => {
    const sa = summarize(a.map(pick));
    const sb = summarize(b.map(pick));
    return {
      figure: FIGURE, profile: ctx.profile, metric, measured: cell(sa, 'ms', 3, true), baseline: cell(sb, 'ms', 3, true),
      delta: `${((sa.median - sb.median) * 1000).toFixed(0)} µs`, ratio: ratio(sa.median, sb.median), goal: '—', met: undefined,
    };
  });
}
