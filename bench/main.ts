// The benchmark run: every figure on every profile, then the report and the timeline written
// to the results folder. Timing figures run one at a time; the memory figure (no timing) runs
// the profiles side by side to keep a full run to a few minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternatives } from './fig-alternatives.ts';
import { initOverhead } from './fig-init.ts';
import { memoryFigure } from './fig-memory.ts';
import { nextAfterLatency } from './fig-next-after.ts';
import { perJobOverhead } from './fig-per-job.ts';
import { releaseLatency } from './fig-release.ts';
import { responseLatency } from './fig-response.ts';
import { telemetryFlush } from './fig-telemetry.ts';
import { timelineFigure } from './fig-timeline.ts';
import { warmOverhead } from './fig-warm.ts';
import { countsFor } from './options.ts';
import { renderTimeline } from './svg-timeline.ts';
import { report } from './table.ts';
import type { AlternativeRow, BenchOptions, BenchResult, FigureContext, Profile, Row, TimelinePanel } from './types.ts';

const TIMED: Array<[string, (ctx: FigureContext) => Promise<Row[]>]> = [
  ['1 init overhead', initOverhead],
  ['2 warm invoke overhead', warmOverhead],
  ['3 response latency', responseLatency],
  ['4 release latency', releaseLatency],
  ['5 per-job overhead', perJobOverhead],
  ['9 telemetry flush', telemetryFlush],
  ['10 Next.js after() response', nextAfterLatency],
];

interface ProfileOutput {
  rows: Row[];
  alternatives: AlternativeRow[];
  panel: TimelinePanel;
}

async function timedFigures(ctx: FigureContext): Promise<ProfileOutput> {
  const rows: Row[] = [];
  for (const [name, figure] of TIMED) {
    const t = performance.now();
    rows.push(...(await figure(ctx)));
    ctx.log(`  ${ctx.profile} ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const alt = await alternatives(ctx);
  ctx.log(`  ${ctx.profile} 7 alternatives: done`);
  const { panel, row } = await timelineFigure(ctx);
  return { rows: [...rows, row], alternatives: alt, panel };
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const counts = countsFor(options.quick);
  const ctx = (profile: Profile): FigureContext => ({ profile, counts, log: options.log });
  if (options.figures) return selectedFigures(options, options.figures, ctx, started);
  const outputs: ProfileOutput[] = [];
  for (const profile of options.profiles) {
    options.log(`bench ${profile}${options.quick ? ' (quick)' : ''}`);
    outputs.push(await timedFigures(ctx(profile)));
  }
  options.log('bench 6 memory (profiles side by side)');
  const memory = (await Promise.all(options.profiles.map((p) => memoryFigure(ctx(p))))).flat();
  const rows = [...outputs.flatMap((o) => o.rows), ...memory].sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true }));
  const alternativeRows = outputs.flatMap((o) => o.alternatives);
  const seconds = (performance.now() - started) / 1000;
  const markdown = report(rows, alternativeRows, { quick: options.quick, seconds, date: new Date().toISOString().slice(0, 10) });
  const svg = renderTimeline(outputs.map((o) => o.panel), 'Times in ms from the invoke start, as seen on the Runtime API by the rig (RIE); job runs reported by the function.');
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, 'results.md'), markdown);
  writeFileSync(join(options.resultsDir, 'timeline.svg'), svg);
  writeFileSync(join(options.resultsDir, 'results.json'), `${JSON.stringify({ quick: options.quick, seconds, rows, alternatives: alternativeRows }, null, 2)}\n`);
  return { markdown, rows, alternatives: alternativeRows, svg, seconds };
}

/** `--figure N`: only those timed figures, on the chosen profiles; results.md and results.json only. */
async function selectedFigures(options: BenchOptions, figures: readonly string[], ctx: (p: Profile) => FigureContext, started: number): Promise<BenchResult> {
  const chosen = TIMED.filter(([name]) => figures.includes(name.split(' ')[0] ?? ''));
  if (chosen.length === 0) throw new Error(`no timed figure numbered ${figures.join(', ')}: ${TIMED.map(([name]) => name).join('; ')}`);
  const rows: Row[] = [];
  for (const profile of options.profiles) for (const [, figure] of chosen) rows.push(...(await figure(ctx(profile))));
  const seconds = (performance.now() - started) / 1000;
  const markdown = report(rows, [], { quick: options.quick, seconds, date: new Date().toISOString().slice(0, 10) });
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, 'results.md'), markdown);
  writeFileSync(join(options.resultsDir, 'results.json'), `${JSON.stringify({ quick: options.quick, seconds, rows }, null, 2)}\n`);
  return { markdown, rows, alternatives: [], svg: '', seconds };
}
