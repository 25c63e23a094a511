// What of figure 6's RSS a function could give back under its memory limit, and what it cannot.
// RSS counts the file-backed pages a process maps (the `node` binary's code: V8's compilers are
// paged in from it) beside its anonymous memory (V8's heap, malloc). Under a memory limit the
// kernel reclaims clean file-backed pages before it kills anything (they are read again from the
// file when touched: those in use again and again, bench/reclaim-check.ts), and pages freed with
// MADV_FREE (`LazyFree`); other anonymous memory it cannot, without swap (Lambda has none). Read from /proc/PID/smaps_rollup after figure 6's
// invokes and a gc: RSS, its clean file-backed pages, its anonymous pages and their lazily freed
// part; the file-backed pages it touches in 200 more invokes (its working set of them: clear_refs,
// then smaps' Referenced); "cannot be reclaimed" = Anonymous − LazyFree (anonymous here includes a file mapping's
// copied-on-write pages: the binary's relocated data). Then, through gdb (needs gdb and root),
// `malloc_trim(0)` in the process: what glibc's malloc holds freed but not given back.
// `npx vite-node bench/memory-reclaim.ts -- [--profiles nodejs22.x,nodejs24.x] [--workloads trivial,realistic]
//   [--memory MB] [--invokes N] [--rounds R] [--write]` (--write: bench/results/memory-reclaim.md)
import { readFileSync, writeFileSync } from 'node:fs';
import type { Sandbox } from '../test/rig/types.ts';
import { fileTouchedKb, mallocTrim, rollupKb } from './proc-reading.ts';
import { invokeOk } from './sandboxes.ts';
import { runScript, scriptArgs, scriptOption } from './run-script.ts';
import type { Profile } from './types.ts';
import { variantRound, variantRows, type Variant } from './variant-rounds.ts';
import { LoopbackService, loadAverage, workloadFunctions, type Workload } from './workloads.ts';

const PARTS = ['rss', 'fileClean', 'fileInUse', 'kept', 'afterTrim'] as const;
/** Invokes after which the file-backed pages touched are counted. */
const TOUCH_INVOKES = 200;
type Reading = Record<(typeof PARTS)[number], number>;

/** The runtime process's pages, MB (/proc/PID/smaps_rollup): RSS, clean pages, anonymous − lazily freed. */
function pages(pid: number): { rss: number; fileClean: number; kept: number } {
  const kb = rollupKb(pid);
  const mb = (field: string): number => (kb[field] ?? NaN) / 1024;
  return { rss: mb('Rss'), fileClean: mb('Shared_Clean') + mb('Private_Clean'), kept: mb('Anonymous') - mb('LazyFree') };
}

/**
 * The working set of its file-backed pages (those it touched in TOUCH_INVOKES more invokes, its
 * referenced bits cleared first: what a limit must also leave it, or it reads them again and
 * again), the reading after a gc, then the anonymous memory once glibc gave back what it holds
 * free: gdb calls `malloc_trim(0)` in the process (every arena's free pages returned with
 * MADV_DONTNEED; glibc's free() returns only the top of a heap): memory freed but kept by malloc.
 */
async function read(box: Sandbox, event: unknown): Promise<Reading> {
  const pid = (await invokeOk(box, { measure: true })).runtimePid ?? NaN;
  writeFileSync(`/proc/${String(pid)}/clear_refs`, '1');
  for (let i = 0; i < TOUCH_INVOKES; i++) await invokeOk(box, event);
  const fileInUse = fileTouchedKb(readFileSync(`/proc/${String(pid)}/smaps`, 'utf8')) / 1024;
  await invokeOk(box, { measure: true });
  const before = pages(pid);
  mallocTrim(pid);
  return { ...before, fileInUse, afterTrim: pages(pid).kept };
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
      const event = workloadFunctions(workload, serviceUrl).event;
      for (let i = 0; i < rounds; i++) readings.push(await variantRound({ profile, workload, serviceUrl, memorySizeMb, invokes }, (box) => read(box, event)));
      const added = variantRows(`${profile} | ${workload}`, PARTS, readings, (r) => `${r.rss.toFixed(1)} / ${r.kept.toFixed(1)}`);
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

Generated by \`bench/memory-reclaim.ts\`: figure 6's functions at ${String(o.memorySizeMb)} MB, ${String(o.invokes)} invokes each (10 jobs per invoke; the floor and no layer leave them un-awaited), rotated; then each its file-backed pages touched in ${String(TOUCH_INVOKES)} more invokes, and the reading after a gc; medians of ${String(o.rounds)} rounds, each with new functions. MB, from /proc/PID/smaps_rollup: RSS; its clean pages (\`Shared_Clean\` + \`Private_Clean\`: the \`node\` binary's and the libraries' code and read-only data, read again from the file when touched); the file-backed pages the process touched in ${String(TOUCH_INVOKES)} more invokes (its referenced bits cleared first: /proc/PID/clear_refs; its working set of them, which a limit must also leave, or it reads them again and again); what cannot be reclaimed without swap (Lambda has none): \`Anonymous\` − \`LazyFree\` (V8's heap, malloc'd memory, the binary's copied-on-write data); and the same once gdb called \`malloc_trim(0)\` in the process (glibc's malloc gives back the free pages it holds in every arena: memory freed but kept). Under a memory limit the kernel reclaims clean file-backed pages before it kills the process, and reads those in use again and again ([reclaim-check](../reclaim-check.ts)): a limit must leave the anonymous memory and the file-backed pages in use.

| runtime | workload | variant | RSS | clean (file) | file pages touched in ${String(TOUCH_INVOKES)} invokes | cannot be reclaimed | of it in use (after \`malloc_trim(0)\`) | RSS / cannot be reclaimed, per round |
|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

runScript(main);
