// A Lambda-like CPU share for a rig function's runtime process: a cgroup (v1 `cpu` controller) with
// a CFS quota in proportion to the memory size — one vCPU at 1,769 MB (AWS Lambda Developer Guide,
// "Configuring function memory"). Used by bench/cpu-share.ts; needs root and /sys/fs/cgroup/cpu.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the v1 `cpu` controller is mounted on the bench machine. */
export const CPU_CGROUP_ROOT = '/sys/fs/cgroup/cpu';
/** The memory size at which Lambda gives one vCPU's worth of CPU time. */
export const MB_PER_VCPU = 1769;
/** The kernel's smallest CFS quota (1 ms). */
const MIN_QUOTA_US = 1000;

/**
 * The CFS quota (µs per `periodUs`) for a function of `memoryMb`: `periodUs × memoryMb / 1769`,
 * at least the kernel's 1 ms. Throws on a size or period that is not a positive finite number.
 */
export function quotaUs(memoryMb: number, periodUs: number): number {
  if (!(Number.isFinite(memoryMb) && memoryMb > 0)) throw new RangeError(`Expected \`memoryMb\` to be a positive number, got \`${String(memoryMb)}\``);
  if (!(Number.isInteger(periodUs) && periodUs > 0)) throw new RangeError(`Expected \`periodUs\` to be a positive integer, got \`${String(periodUs)}\``);
  return Math.max(MIN_QUOTA_US, Math.round((periodUs * memoryMb) / MB_PER_VCPU));
}

/** Throttling so far: periods throttled of periods run, and the time throttled (ms). */
export interface Throttling { readonly periods: number; readonly throttledPeriods: number; readonly throttledMs: number }

/** A cgroup holding one process at a quota; `release()` moves it back to the root and removes the group. */
export interface CpuShare { readonly quotaUs: number; readonly periodUs: number; throttled(): Throttling; release(): void }

/** Puts process `pid` (all its threads: `cgroup.procs`) in a new cgroup limited as a `memoryMb` function. */
export function limitCpu(pid: number, { memoryMb, periodUs = 100_000, root = CPU_CGROUP_ROOT }: { memoryMb: number; periodUs?: number; root?: string }): CpuShare {
  if (!existsSync(join(root, 'cgroup.procs'))) throw new Error(`no cgroup v1 cpu controller at ${root} (needed for a Lambda-like CPU share)`);
  const dir = join(root, `lar-cpu-share-${String(pid)}`);
  mkdirSync(dir);
  const quota = quotaUs(memoryMb, periodUs);
  writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
  writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    quotaUs: quota, periodUs,
    throttled(): Throttling {
      const stat = Object.fromEntries(readFileSync(join(dir, 'cpu.stat'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
      return { periods: Number(stat.nr_periods), throttledPeriods: Number(stat.nr_throttled), throttledMs: Number(stat.throttled_time) / 1e6 };
    },
    release(): void {
      for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try { writeFileSync(join(root, 'cgroup.procs'), p); } catch { /* the process is gone */ }
      }
      rmdirSync(dir);
    },
  };
}

/** CPU time (ms) process `pid` has run so far, all its threads (`/proc/PID/task/TID/schedstat`: ns on CPU, first field). */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    try { ns += Number(readFileSync(`/proc/${String(pid)}/task/${tid}/schedstat`, 'utf8').split(' ')[0]); } catch { /* the thread ended */ }
  }
  return ns / 1e6;
}
