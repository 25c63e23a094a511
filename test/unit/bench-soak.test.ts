// bench/soak.ts's command line and report: the growth over the baseline's and the memory per
// connection are computed from the readings, and judged against the 1 MB goal only in full runs.
import { describe, expect, it } from 'vitest';
import { checkpointsFor, parseSoakArgs } from '../../bench/soak-options.ts';
import { soakMarkdown, type SoakReport } from '../../bench/soak-report.ts';

const reading = (rssMb: number, heapMb: number, fds = 24): { rssMb: number; heapMb: number; fds: number } => ({ rssMb, heapMb, fds });

function report(over: { rss: number; heap: number }, quick = false): SoakReport {
  return {
    date: '2026-12-06', seconds: 60, quick, loads: [1, 3, 2],
    invokes: [{
      profile: 'nodejs22.x', memorySizeMb: 512,
      checkpoints: [
        { invokes: 1000, layer: reading(60, 5), baseline: reading(50, 4), load1: 1 },
        { invokes: 10_000, layer: reading(61 + over.rss, 5.5 + over.heap), baseline: reading(51, 4.5), load1: 2 },
      ],
    }],
    children: [{ profile: 'nodejs24.x', mode: 'registration refused', warm: 300, children: 3000, before: reading(70, 6), after: reading(81, 6 + (3.6 * 3000) / 1024) }],
  };
}

describe('bench/soak', () => {
  it('reads checkpoints at 10, 25, 50, 75 and 100 % of --invokes, and rejects what is not a count', () => {
    expect(parseSoakArgs([]).checkpoints).toEqual([1000, 2500, 5000, 7500, 10_000]);
    expect(checkpointsFor(200)).toEqual([20, 50, 100, 150, 200]);
    expect(parseSoakArgs(['--', '--checkpoints', '50,10']).checkpoints).toEqual([10, 50]);
    expect(() => parseSoakArgs(['--children', '1.5'])).toThrow('--children expects an integer ≥ 1, got "1.5"');
    expect(() => parseSoakArgs(['--parts', 'invokes,leaks'])).toThrow('unknown part "leaks"');
  });

  it('reports the growth over the baseline\'s and meets the goal at 1 MB', () => {
    const markdown = soakMarkdown(report({ rss: 1, heap: 0 }));
    expect(markdown).toContain('| nodejs22.x | 1,000 → 10,000 | +2.0 MB / +1.0 MB | +1.0 MB | +0.50 MB / +0.50 MB | +0.00 MB | 24 → 24 / 24 → 24 | ✅ met |');
    expect(markdown).toContain('load average 1.0–3.0');
  });

  it('misses the goal above 1 MB over the baseline\'s, and judges nothing in a quick run', () => {
    expect(soakMarkdown(report({ rss: 0, heap: 1.5 }))).toMatch(/\| \+1\.50 MB \| 24 → 24 \/ 24 → 24 \| ❌ missed \|/);
    expect(soakMarkdown(report({ rss: 0, heap: 1.5 }, true))).toMatch(/\| \+1\.50 MB \| 24 → 24 \/ 24 → 24 \| — \|/);
  });

  it('states the memory retained per connection, and misses the goal for a leak of 3.6 KB each over 3,000', () => {
    expect(soakMarkdown(report({ rss: 0, heap: 0 }))).toContain('| nodejs24.x | registration refused | 3,000 (300) | +3.60 KB | +10.55 MB | +11.0 MB | 24 → 24 | ❌ missed |');
  });
});
