// bench/cpu-quota.ts: the CFS quota for a memory size (one vCPU at 1,769 MB), and the cgroup it
// writes (into a scratch directory standing in for /sys/fs/cgroup/cpu).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitCpu, quotaUs } from '../../bench/cpu-quota.ts';

describe('quotaUs', () => {
  it('is the period at 1,769 MB, in proportion below and above it, never under the kernel’s 1 ms', () => {
    expect(quotaUs(1769, 100_000)).toBe(100_000);
    expect(quotaUs(128, 100_000)).toBe(7236);
    expect(quotaUs(3538, 100_000)).toBe(200_000);
    fc.assert(fc.property(fc.double({ min: 1, max: 10_240, noNaN: true }), fc.integer({ min: 1000, max: 1_000_000 }), (mb, period) => {
      const q = quotaUs(mb, period);
      expect(q).toBeGreaterThanOrEqual(1000);
      expect(Math.abs(q - Math.max(1000, (period * mb) / 1769))).toBeLessThanOrEqual(0.5);
      expect(quotaUs(mb + 1, period)).toBeGreaterThanOrEqual(q);
    }));
  });

  it('refuses a size or period that is not a positive number, naming it', () => {
    fc.assert(fc.property(fc.oneof(fc.constant(0), fc.constant(-1), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY)), (bad) => {
      expect(() => quotaUs(bad, 100_000)).toThrow(/`memoryMb`/);
      expect(() => quotaUs(128, bad)).toThrow(/`periodUs`/);
    }));
    expect(() => quotaUs(128, 1.5)).toThrow(/`periodUs`/);
  });
});

describe('limitCpu', () => {
  it('writes the period and quota, moves the process, and on release moves it back before removing the group', () => {
    const root = mkdtempSync(join(tmpdir(), 'cpu-cgroup-'));
    writeFileSync(join(root, 'cgroup.procs'), '');
    const share = limitCpu(4242, { memoryMb: 512, root });
    const dir = join(root, 'lar-cpu-share-4242');
    expect(readFileSync(join(dir, 'cpu.cfs_period_us'), 'utf8')).toBe('100000');
    expect(readFileSync(join(dir, 'cpu.cfs_quota_us'), 'utf8')).toBe(String(quotaUs(512, 100_000)));
    expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8')).toBe('4242');
    writeFileSync(join(dir, 'cpu.stat'), 'nr_periods 44\nnr_throttled 1\nthrottled_time 35000000\nnr_bursts 0\n');
    expect(share.throttled()).toEqual({ periods: 44, throttledPeriods: 1, throttledMs: 35 });
    // On cgroupfs rmdir takes the group's control files with it; in a scratch directory it cannot,
    // so release() throws there — after it moved the process back, which is what it must do first.
    expect(() => share.release()).toThrow(/ENOTEMPTY/);
    expect(readFileSync(join(root, 'cgroup.procs'), 'utf8')).toBe('4242');
  });

  it('says what is missing when there is no cpu controller', () => {
    expect(() => limitCpu(1, { memoryMb: 128, root: mkdtempSync(join(tmpdir(), 'no-cgroup-')) })).toThrow(/no cgroup v1 cpu controller/);
  });
});
