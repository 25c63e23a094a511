// Reads /proc to find the processes of a sandbox: everything in its private mount namespace.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fixed fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]), cmdline };
  } catch {
    return undefined; // exited while we looked
  }
}

export function mountNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * A sandbox's processes: those in its mount namespace. Namespace inodes are reused once a
 * namespace dies, so the namespace must also show the sandbox's own mount (`marker`).
 */
export interface SandboxIdentity {
  ns: string;
  marker: string; // a path fragment unique to the sandbox, visible in its /proc/<pid>/mountinfo
}

function showsMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes of the given sandboxes. */
export function processesOf(sandboxes: SandboxIdentity[]): ProcInfo[] {
  const markers = new Map(sandboxes.map((s) => [s.ns, s.marker]));
  const verdict = new Map<string, boolean>(); // per namespace, checked once per scan
  const found: ProcInfo[] = [];
  for (const pid of allPids()) {
    const ns = mountNamespace(pid);
    const marker = ns === undefined ? undefined : markers.get(ns);
    if (ns === undefined || marker === undefined) continue;
    if (!verdict.has(ns)) verdict.set(ns, showsMarker(pid, marker));
    if (verdict.get(ns) !== true) continue;
    const info = readProc(pid);
    if (info !== undefined && info.state !== 'Z') found.push(info);
  }
  return found;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Signals every process in `procs`: whole process groups except `keepGroup`, whose members are signalled one by one. */
export function signalAll(procs: ProcInfo[], sig: NodeJS.Signals, keepGroup: number, keepPid: number): void {
  const groups = new Set<number>();
  for (const p of procs) {
    if (p.pid === keepPid) continue;
    if (p.pgid !== keepGroup && p.pgid > 1) groups.add(p.pgid);
    else signal(p.pid, sig);
  }
  for (const g of groups) signal(-g, sig);
}
