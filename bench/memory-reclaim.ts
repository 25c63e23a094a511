// What of figure 6's RSS a function could give back under its memory limit, and what it cannot.
// RSS counts the file-backed pages a process maps (the `node` binary's code: V8's compilers are
// paged in from it) beside its anonymous memory (V8's heap, malloc). Under a memory limit the
// kernel reclaims clean file-backed pages before it kills anything (they are read again from the
// file when touched), and pages freed with MADV_FREE (`LazyFree`); other anonymous memory it
// cannot, without swap (Lambda has none). Read from /proc/PID/smaps_rollup after figure 6's
// invokes and a gc: RSS, its clean file-backed pages, its anonymous pages and their lazily freed
// part; "cannot be reclaimed" = Anonymous − LazyFree (anonymous here includes a file mapping's
// copied-on-write pages: the binary's relocated data). Then, through gdb (needs gdb and root),
// `malloc_trim(0)` in the process: what glibc's malloc holds freed but not given back.
// `npx vite-node bench/memory-reclaim.ts -- [--profiles nodejs22.x,nodejs24.x] [--workloads trivial,realistic]
//   [--memory MB] [--invokes N] [--rounds R] [--write]` (--write: bench/results/memory-reclaim.md)
import { readFileSync, writeFileSync } from 'node:fs';
import type { Sandbox } from '../test/rig/types.ts';
import { mallocTrim } from './proc-reading.ts';
import { invokeOk, rotate, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { runScript, scriptArgs, scriptOption } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { LoopbackService, loadAverage, workloadFunctions, type Workload } from './workloads.ts';

const VARIANTS = ['layer', 'floor', 'no layer'] as const;
type Variant = (typeof VARIANTS)[number];
const PARTS = ['rss', 'fileClean', 'kept', 'afterTrim'] as const;
type Reading = Record<(typeof PARTS)[number], number>;

/** The runtime process's pages, MB (/proc/PID/smaps_rollup): RSS, clean pages, anonymous − lazily freed. */
function pages(pid: number): { rss: number; fileClean: number; kept: number } {
  const text = readFileSync(`/proc/${String(pid)}/smaps_rollup`, 'utf8');
  const mb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return { rss: mb('Rss'), fileClean: mb('Shared_Clean') + mb('Private_Clean'), kept: mb('Anonymous') - mb('LazyFree') };
}

/**
 * The reading, then the anonymous memory once glibc gave back what it holds free: gdb calls
 * `malloc_trim(0)` in the process (every arena's free pages returned with MADV_DONTNEED; glibc's
 * free() returns only the top of a heap). The difference is memory freed but kept by malloc.
 */
function measure(pid: number): Reading {
  const before = pages(pid);
  mallocTrim(pid);
  return { ...before, afterTrim: pages(pid).kept };
}

/** A gc in the function (its `measure` event), then the reading. */
async function read(box: Sandbox): Promise<Reading> {
  const r = await invokeOk(box, { measure: true });
  return measure(r.runtimePid ?? NaN);
}

interface Case { readonly profile: Profile; readonly workload: Workload }

/** One round: the three functions started anew, rotated through `invokes` invokes, then read. */
async function round(c: Case, serviceUrl: string, memorySizeMb: number, invokes: number): Promise<Record<Variant, Reading>> {
  const fns = workloadFunctions(c.workload, serviceUrl);
  const spec = (s: FunctionSpec): FunctionSpec => ({ ...s, freeze: false, memorySizeMb });
  return withFunctions(c.profile, [fns.memory.with, fns.memory.floor, fns.memory.without].map(spec), async (boxes) => {
    await rotate(invokes, boxes.map((box) => async (): Promise<void> => void (await invokeOk(box, fns.event))));
    const [layer, floor, none] = [await read(boxes[0]!), await read(boxes[1]!), await read(boxes[2]!)];
    return { layer, floor, 'no layer': none };
  });
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** Table rows for one case: each variant's medians, then layer − no layer and layer − floor. */
function rows(c: Case, readings: Array<Record<Variant, Reading>>): string[] {
  const median = (v: Variant): Reading => Object.fromEntries(PARTS.map((p) => [p, summarize(readings.map((r) => r[v][p])).median])) as Reading;
  const m = Object.fromEntries(VARIANTS.map((v) => [v, median(v)])) as Record<Variant, Reading>;
  const label = `${c.profile} | ${c.workload}`;
  const diff = (a: Variant, b: Variant): string => PARTS.map((p) => signed(m[a][p] - m[b][p])).join(' | ');
  const perRound = (v: Variant): string => readings.map((r) => `${r[v].rss.toFixed(1)} / ${r[v].kept.toFixed(1)}`).join(', ');
  return [
    ...VARIANTS.map((v) => `| ${label} | ${v} | ${PARTS.map((p) => m[v][p].toFixed(1)).join(' | ')} | ${perRound(v)} |`),
    `| ${label} | **layer − no layer** | ${diff('layer', 'no layer')} | |`,
    `| ${label} | **layer − floor (ours)** | ${diff('layer', 'floor')} | |`,
  ];
}

async function main(): Promise<void> {
  const profiles = scriptOption('profiles', 'nodejs22.x,nodejs24.x').split(',') as Profile[];
  const workloads = scriptOption('workloads', 'trivial,realistic').split(',') as Workload[];
  const memorySizeMb = Number(scriptOption('memory', '128'));
  const invokes = Number(scriptOption('invokes', '1000'));
  const rounds = Number(scriptOption('rounds', '3'));
  const service = new LoopbackService();
  const serviceUrl = await service.listen();
  const lines: string[] = [];
  try {
    for (const profile of profiles) for (const workload of workloads) {
      const readings: Array<Record<Variant, Reading>> = [];
      for (let i = 0; i < rounds; i++) readings.push(await round({ profile, workload }, serviceUrl, memorySizeMb, invokes));
      const added = rows({ profile, workload }, readings);
      for (const line of added) console.log(line);
      lines.push(...added);
    }
  } finally {
    await service.close();
  }
  if (scriptArgs.includes('--write')) writeFileSync(new URL('./results/memory-reclaim.md', import.meta.url), report(lines, { memorySizeMb, invokes, rounds }));
}

function report(lines: string[], o: { memorySizeMb: number; invokes: number; rounds: number }): string {
  return `# What the functions' memory could give back under a limit (${new Date().toISOString().slice(0, 16)}Z, load average ${loadAverage()})

Generated by \`bench/memory-reclaim.ts\`: figure 6's functions at ${String(o.memorySizeMb)} MB, ${String(o.invokes)} invokes each (10 jobs per invoke; the floor and no layer leave them un-awaited), rotated, then read after a gc; medians of ${String(o.rounds)} rounds, each with new functions. MB, from /proc/PID/smaps_rollup: RSS; its clean pages (\`Shared_Clean\` + \`Private_Clean\`: the \`node\` binary's and the libraries' code and read-only data, read again from the file when touched); what cannot be reclaimed without swap (Lambda has none): \`Anonymous\` − \`LazyFree\` (V8's heap, malloc'd memory, the binary's copied-on-write data); and the same once gdb called \`malloc_trim(0)\` in the process (glibc's malloc gives back the free pages it holds in every arena: memory freed but kept). Under a memory limit the kernel reclaims clean file-backed pages before it kills the process ([reclaim-check](../reclaim-check.ts)); the anonymous memory is what the limit must leave.

| runtime | workload | variant | RSS | clean (file) | cannot be reclaimed | of it in use (after \`malloc_trim(0)\`) | RSS / cannot be reclaimed, per round |
|---|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

runScript(main);
