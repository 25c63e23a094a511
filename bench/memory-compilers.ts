// Figure 6's RSS gap split by what V8's optimising compilers hold. The same functions as figure 6
// (both workloads: the layer, the floor, no layer; ten jobs per invoke), run with V8's defaults and
// again with Maglev and TurboFan off (`--no-maglev --no-turbofan` on node's command line, through
// the rig's RIG_NODE_FLAGS: Lambda offers no such switch, and NODE_OPTIONS refuses these flags).
// Read after the same invokes and a gc: VmRSS, the `node` binary's executable pages (the
// compilers' own machine code is paged in from it the first time they run), V8's committed heap,
// (of it, the young generation) and the rest (malloc'd memory: a compiler's zones, native buffers; other mappings).
// Medians over rounds; each round starts new functions and rotates them.
// `npx vite-node bench/memory-compilers.ts -- [--profiles nodejs22.x,nodejs24.x] [--memory MB]
//   [--invokes N] [--rounds R] [--jobs N] [--write]` (--write: bench/results/memory-compilers.md; --jobs N: the trivial
//   workload only, N jobs per invoke instead of ten, written to memory-compilers-N-jobs.md)
import { writeFileSync } from 'node:fs';
import type { Sandbox } from '../test/rig/types.ts';
import { rssByMapping } from './proc-reading.ts';
import { invokeOk, rotate, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { runScript, scriptArgs, scriptOption } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { LoopbackService, loadAverage, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const COMPILERS_OFF = '--no-maglev --no-turbofan';
const VARIANTS = ['layer', 'floor', 'no layer'] as const;
type Variant = (typeof VARIANTS)[number];
const PARTS = ['rss', 'nodeCode', 'v8Heap', 'young', 'rest'] as const;
type Reading = Record<(typeof PARTS)[number], number>;

const argv = scriptArgs;
const opt = scriptOption;

/** One gc'd reading, in MB: RSS, the node binary's executable pages, V8's committed heap (of it the young generation as reserved), the rest. */
async function read(box: Sandbox): Promise<Reading> {
  const r = await invokeOk(box, { measure: true });
  const mappings = rssByMapping(r.runtimePid ?? NaN);
  const kb = (match: (name: string) => boolean): number => [...mappings].filter(([n]) => match(n)).reduce((s, [, v]) => s + v, 0);
  const rss = kb(() => true) / 1024;
  const nodeCode = kb((n) => /^node \S*x/.test(n)) / 1024;
  const usage = r.json() as { heapPhysical: number; newSpace: number };
  const v8Heap = usage.heapPhysical / 1048576;
  return { rss, nodeCode, v8Heap, young: usage.newSpace / 1048576, rest: rss - nodeCode - v8Heap };
}

interface Case { readonly profile: Profile; readonly workload: Workload; readonly flags: string; readonly jobs: string | undefined }

/** One round: the three functions started anew, rotated through `invokes` invokes, then read. */
async function round(c: Case, serviceUrl: string, memorySizeMb: number, invokes: number): Promise<Record<Variant, Reading>> {
  const fns = workloadFunctions(c.workload, serviceUrl);
  const spec = (s: FunctionSpec): FunctionSpec => ({ ...s, freeze: false, memorySizeMb, env: { ...s.env, ...(c.flags ? { RIG_NODE_FLAGS: c.flags } : {}), ...(c.jobs ? { BENCH_JOBS: c.jobs } : {}) } });
  return withFunctions(c.profile, [fns.memory.with, fns.memory.floor, fns.memory.without].map(spec), async (boxes) => {
    await rotate(invokes, boxes.map((box) => async (): Promise<void> => void (await invokeOk(box, fns.event))));
    const [layer, floor, none] = [await read(boxes[0]!), await read(boxes[1]!), await read(boxes[2]!)];
    return { layer, floor, 'no layer': none };
  });
}

const mb = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** Table rows for one case: each variant's medians, then layer − no layer and layer − floor. */
function rows(c: Case, readings: Array<Record<Variant, Reading>>): string[] {
  const median = (v: Variant): Reading => Object.fromEntries(PARTS.map((p) => [p, summarize(readings.map((r) => r[v][p])).median])) as Reading;
  const m = Object.fromEntries(VARIANTS.map((v) => [v, median(v)])) as Record<Variant, Reading>;
  const label = `${c.profile} | ${c.workload} | ${c.flags ? 'off' : 'on'}`;
  const diff = (a: Variant, b: Variant): string => PARTS.map((p) => mb(m[a][p] - m[b][p])).join(' | ');
  const rssAll = (v: Variant): string => readings.map((r) => r[v].rss.toFixed(1)).join(', ');
  return [
    ...VARIANTS.map((v) => `| ${label} | ${v} | ${PARTS.map((p) => m[v][p].toFixed(1)).join(' | ')} | ${rssAll(v)} |`),
    `| ${label} | **layer − no layer** | ${diff('layer', 'no layer')} | |`,
    `| ${label} | **layer − floor (ours)** | ${diff('layer', 'floor')} | |`,
  ];
}

async function main(): Promise<void> {
  const profiles = opt('profiles', 'nodejs22.x,nodejs24.x').split(',') as Profile[];
  const memorySizeMb = Number(opt('memory', '128'));
  const invokes = Number(opt('invokes', '1000'));
  const rounds = Number(opt('rounds', '3'));
  const jobs = argv.includes('--jobs') ? opt('jobs', '10') : undefined;
  const service = new LoopbackService();
  const serviceUrl = await service.listen();
  const lines: string[] = [];
  try {
    for (const profile of profiles) for (const workload of jobs ? ['trivial' as const] : WORKLOADS) for (const flags of ['', COMPILERS_OFF]) {
      const c: Case = { profile, workload, flags, jobs };
      const readings: Array<Record<Variant, Reading>> = [];
      for (let i = 0; i < rounds; i++) readings.push(await round(c, serviceUrl, memorySizeMb, invokes));
      const added = rows(c, readings);
      for (const line of added) console.log(line);
      lines.push(...added);
    }
  } finally {
    await service.close();
  }
  const file = jobs ? `memory-compilers-${jobs}-jobs.md` : 'memory-compilers.md';
  if (argv.includes('--write')) writeFileSync(new URL(`./results/${file}`, import.meta.url), report(lines, { memorySizeMb, invokes, rounds, jobs: jobs ?? '10' }));
}

function report(lines: string[], o: { memorySizeMb: number; invokes: number; rounds: number; jobs: string }): string {
  return `# RSS split by V8's optimising compilers (${new Date().toISOString().slice(0, 16)}Z, load average ${loadAverage()})

Generated by \`bench/memory-compilers.ts\`: figure 6's functions at ${String(o.memorySizeMb)} MB, ${String(o.invokes)} invokes each (${o.jobs} ${o.jobs === '1' ? 'job' : 'jobs'} per invoke; the floor and no layer leave them un-awaited), rotated, then read after a gc; medians of ${String(o.rounds)} rounds, each with new functions. "Compilers off": node started with \`${COMPILERS_OFF}\` (the interpreter and Sparkplug remain). MB: RSS; the \`node\` binary's executable pages; V8's committed heap; of it, the young generation (new space, as reserved); the rest (malloc'd memory and other mappings). Each column is its own median over the rounds, so a row's parts need not add up to its RSS.

| runtime | workload | compilers | variant | RSS | node code | V8 heap | young generation | rest | RSS per round |
|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

runScript(main);
