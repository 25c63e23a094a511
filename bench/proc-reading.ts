// What a process holds, read from /proc, and one reading of a bench function after a gc.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Sandbox } from '../test/rig/types.ts';
import { invokeOk } from './sandboxes.ts';
import { summarize } from './stats.ts';

const MB = 1024 * 1024;

/** A `kB` field of /proc/PID/status, in MB. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

/** Resident memory (VmRSS) of `pid`, in MB. */
export const rssMb = (pid: number): number => statusMb(pid, 'VmRSS');

/** The process's peak RSS so far (VmHWM), in MB. */
export const peakRssMb = (pid: number): number => statusMb(pid, 'VmHWM');

/** RSS in kB by mapping (file name or [anon], with permissions). */
export function rssByMapping(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) name = `${(mapping[2] || '[anon]').replace(/.*\//, '')} ${mapping[1] ?? ''}`;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out.set(name, (out.get(name) ?? 0) + Number(rss[1]));
  }
  return out;
}

/** A /proc/PID/smaps_rollup (or one mapping's smaps block) as its `Field: N kB` lines, in kB. */
export function parseRollup(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[match[1] ?? ''] = Number(match[2]);
  return out;
}

/** /proc/PID/smaps_rollup of `pid`, in kB by field (`Rss`, `Anonymous`, `LazyFree`, `Shared_Clean`…). */
export function rollupKb(pid: number): Record<string, number> {
  return parseRollup(readFileSync(`/proc/${String(pid)}/smaps_rollup`, 'utf8'));
}

/**
 * smaps_rollup's `Anonymous` − `LazyFree` of `pid`, in MB: what the kernel cannot reclaim without
 * swap, unlike RSS's clean file-backed pages (the `node` binary's code among them).
 */
export function anonymousMb(pid: number): number {
  const kb = rollupKb(pid);
  return ((kb.Anonymous ?? NaN) - (kb.LazyFree ?? 0)) / 1024;
}

/**
 * File-backed pages touched since the process's referenced bits were cleared (/proc/PID/clear_refs),
 * in kB, from a /proc/PID/smaps: per mapping of a file (a path), `Referenced` less its `Anonymous`
 * (the mapping's copied-on-write pages: the binary's relocated data).
 */
export function fileTouchedKb(smaps: string): number {
  let kb = 0;
  let file = false;
  let referenced = 0;
  for (const line of smaps.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) file = (mapping[1] ?? '').startsWith('/');
    else if (file && line.startsWith('Referenced:')) referenced = Number(/(\d+)/.exec(line)?.[1] ?? 0);
    else if (file && line.startsWith('Anonymous:')) kb += Math.max(0, referenced - Number(/(\d+)/.exec(line)?.[1] ?? 0));
  }
  return kb;
}

/**
 * CPU time `pid` has used so far, in ms: every thread's time on a CPU (/proc/PID/task/TID/schedstat,
 * nanoseconds; threads that already exited are not counted). Unlike wall time, it does not
 * stretch when other processes compete for the CPU (the bench machine is shared).
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return ns / 1e6;
}

/** How many file descriptors `pid` has open (sockets, pipes, files). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** A process's memory and descriptors, after a gc. */
export interface Reading {
  fds: number;
  rssMb: number;
  heapMb: number;
}

/**
 * The median of three readings of the runtime process: each invoke with `{ measure: true }` runs
 * a gc in the function and answers `process.memoryUsage()`; RSS and fds come from /proc.
 */
export async function readFunction(box: Sandbox): Promise<Reading> {
  const samples: Reading[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await invokeOk(box, { measure: true });
    const pid = r.runtimePid ?? NaN;
    samples.push({ fds: openFds(pid), rssMb: rssMb(pid), heapMb: (r.json() as { heapUsed: number }).heapUsed / MB });
  }
  const median = (k: keyof Reading): number => summarize(samples.map((s) => s[k])).median;
  return { fds: median('fds'), rssMb: median('rssMb'), heapMb: median('heapMb') };
}

/**
 * Calls glibc's `malloc_trim(0)` in process `pid` through gdb (needs gdb and root): every malloc
 * arena's free pages are given back (MADV_DONTNEED), where free() gives back only a heap's top.
 * In this bench machine's VM gdb then fails to restore the registers' extended state ("Couldn't
 * write extended state status"): the call has run by then (a process after 200 Maglev compiles:
 * anonymous 34.0 → 12.8 MB; gdb attaching without the call: 35.2 → 35.2) and the process runs on.
 */
export function mallocTrim(pid: number): void {
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int)malloc_trim(0)'], { encoding: 'utf8' });
  const output = `${gdb.stdout}${gdb.stderr}`;
  if (/^\$1 = \d/m.test(output) || output.includes("Couldn't write extended state status")) return;
  throw new Error(`gdb could not call malloc_trim(0) in ${String(pid)} (gdb installed? root?): ${output.slice(-800)}`);
}
