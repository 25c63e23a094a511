// The benchmark run: every figure on every profile, then the report and the timeline written
// to the results folder. Timing figures run one at a time; the memory figure (no timing) runs
// the profiles side by side to keep a full run to a few minutes. Figures 1 and 6 run at each
// memory size (`--memory-sizes`), the rest at the rig's default; `--figures` picks figures.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternatives } from './fig-alternatives.ts';
import { initOverhead } from './fig-init.ts';
import { memoryFigure } from './fig-memory.ts';
import { pacedMemory } from './fig-memory-paced.ts';
import { nextAfterLatency } from './fig-next-after.ts';
import { perJobOverhead } from './fig-per-job.ts';
import { releaseLatency } from './fig-release.ts';
import { responseLatency } from './fig-response.ts';
import { socketReleaseLatency } from './fig-socket-release.ts';
import { taskOverhead } from './fig-tasks.ts';
import { telemetryFlush } from './fig-telemetry.ts';
import { timelineFigure } from './fig-timeline.ts';
import { warmOverhead } from './fig-warm.ts';
import { mergeResults, readStoredResults, remeasuredLine, reportDay, type StoredResults } from './merge-results.ts';
import { countsFor, DEFAULT_MEMORY_MB, MEMORY_SIZES, QUICK_MEMORY_SIZES } from './options.ts';
import { renderTimeline } from './svg-timeline.ts';
import { report } from './table.ts';
import { LoopbackService, loadAverage } from './workloads.ts';
import type { AlternativeRow, BenchOptions, BenchResult, FigureContext, Profile, Row, TimelinePanel } from './types.ts';

const TIMED: Array<[string, (ctx: FigureContext) => Promise<Row[]>]> = [
  ['2 warm invoke overhead', warmOverhead],
  ['3 response latency', responseLatency],
  ['4 release latency', releaseLatency],
  ['5 per-job overhead', perJobOverhead],
  ['9 telemetry flush', telemetryFlush],
  ['10 Next.js after() response', nextAfterLatency],
  ['11 socket release latency', socketReleaseLatency],
  ['12 tasks', taskOverhead],
];

interface ProfileOutput {
  rows: Row[];
  alternatives: AlternativeRow[];
  panel: TimelinePanel | undefined;
}

type Wanted = (figure: string) => boolean;

async function timedFigures(ctx: FigureContext, sizes: readonly number[], wanted: Wanted): Promise<ProfileOutput> {
  const rows: Row[] = [];
  const timed = async (name: string, figure: (c: FigureContext) => Promise<Row[]>, c: FigureContext): Promise<void> => {
    const t = performance.now();
    rows.push(...(await figure(c)));
    ctx.log(`  ${ctx.profile} ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  if (wanted('1')) for (const memorySizeMb of sizes) await timed(`1 init overhead ${memorySizeMb} MB`, initOverhead, { ...ctx, memorySizeMb });
  for (const [name, figure] of TIMED) if (wanted(name.split(' ')[0] ?? '')) await timed(name, figure, ctx);
  const alt = wanted('7') ? await alternatives(ctx) : [];
  if (wanted('7')) ctx.log(`  ${ctx.profile} 7 alternatives: done`);
  const timeline = wanted('8') ? await timelineFigure(ctx) : undefined;
  return { rows: timeline ? [...rows, timeline.row] : rows, alternatives: alt, panel: timeline?.panel };
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const service = new LoopbackService();
  const serviceUrl = await service.listen();
  try {
    return await runFigures(options, serviceUrl);
  } finally {
    await service.close();
  }
}

async function runFigures(options: BenchOptions, serviceUrl: string): Promise<BenchResult> {
  const started = performance.now();
  const loadAtStart = loadAverage();
  const counts = countsFor(options.quick);
  const sizes = options.memorySizes ?? (options.quick ? QUICK_MEMORY_SIZES : MEMORY_SIZES);
  const wanted: Wanted = (figure) => options.figures?.has(figure) ?? true;
  const ctx = (profile: Profile, memorySizeMb = DEFAULT_MEMORY_MB): FigureContext => ({ profile, counts, log: options.log, memorySizeMb, serviceUrl });
  const outputs: ProfileOutput[] = [];
  for (const profile of options.profiles) {
    options.log(`bench ${profile}${options.quick ? ' (quick)' : ''}`);
    outputs.push(await timedFigures(ctx(profile), sizes, wanted));
  }
  const memory: Row[] = [];
  for (const size of wanted('6') ? sizes : []) {
    options.log(`bench 6 memory at ${size} MB (profiles side by side)`);
    // Back to back, then the trivial workload's functions afresh at a steady rate (fig-memory-paced.ts).
    memory.push(...(await Promise.all(options.profiles.map(async (p) => [...(await memoryFigure(ctx(p, size))), ...(await pacedMemory(ctx(p, size)))]))).flat());
  }
  const rows = [...outputs.flatMap((o) => o.rows), ...memory].sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true }));
  const alternativeRows = outputs.flatMap((o) => o.alternatives);
  const seconds = (performance.now() - started) / 1000;
  const fresh: StoredResults = { quick: options.quick, date: new Date().toISOString().slice(0, 10), load: { atStart: loadAtStart, atEnd: loadAverage() }, seconds, rows, alternatives: alternativeRows };
  const stored = mergeResults(readStored(options.resultsDir), fresh, options.figures);
  const markdown = report([...stored.rows], [...stored.alternatives], { quick: stored.quick, seconds: stored.seconds, date: stored.date, load: stored.load, remeasured: remeasuredLine(stored) });
  const svg = renderTimeline(outputs.flatMap((o) => (o.panel ? [o.panel] : [])), 'Times in ms from the invoke start, as seen on the Runtime API by the rig (RIE); job runs reported by the function.');
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, 'results.md'), markdown);
  if (outputs.some((o) => o.panel)) writeFileSync(join(options.resultsDir, 'timeline.svg'), svg);
  writeFileSync(join(options.resultsDir, 'results.json'), `${JSON.stringify(stored, null, 2)}\n`);
  return { markdown, rows: [...stored.rows], alternatives: [...stored.alternatives], svg, seconds };
}

/** The results a folder holds already; undefined when none or unreadable (then the run stands alone). */
function readStored(dir: string): StoredResults | undefined {
  try {
    const markdown = existsSync(join(dir, 'results.md')) ? readFileSync(join(dir, 'results.md'), 'utf8') : '';
    return readStoredResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as unknown, reportDay(markdown));
  } catch {
    return undefined;
  }
}
