// CI smoke test of the benchmark: `--quick` on both profiles must produce a table with every
// figure and a well-formed SVG timeline. Numbers are not judged here (the goals live in the
// bench output); this proves the bench runs end to end on the rig. With BENCH_SMOKE_RESULTS_DIR set
// (CI does, .github/workflows/ci.yml) the table, JSON and SVG are written there and kept.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACED_LABEL } from '../../bench/fig-memory-paced.ts';
import { runBench } from '../../bench/main.ts';

const PROFILES = ['nodejs22.x', 'nodejs24.x'] as const;
const ROW_FIGURES = [
  '1. Init overhead', '2. Warm invoke overhead', '3. Response latency with jobs', '4. Release latency',
  '5. Per-job overhead', '6. Memory', '8. Timeline', '9. Telemetry flush', '10. Next.js after()', '11. Socket release latency',
  '12. Tasks',
];

/** Problems that would stop an XML parser: unbalanced tags, bare `&`, a root other than <svg>. */
function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (!/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/.test(svg.trimStart())) problems.push('root is not <svg xmlns=…>');
  if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(svg)) problems.push('unescaped &');
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> does not close the open element`);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

describe('the benchmark in quick mode', () => {
  it('writes a table with every figure on both profiles and a valid SVG timeline', async () => {
    const keep = process.env.BENCH_SMOKE_RESULTS_DIR;
    const dir = keep === undefined || keep === '' ? mkdtempSync(join(tmpdir(), 'bench-smoke-')) : keep;
    mkdirSync(dir, { recursive: true });
    try {
      const result = await runBench({ quick: true, resultsDir: dir, profiles: PROFILES, log: () => undefined });
      const markdown = readFileSync(join(dir, 'results.md'), 'utf8');
      expect(markdown).toBe(result.markdown);
      for (const figure of [...ROW_FIGURES, '7. Against the alternatives']) expect(markdown).toContain(figure);
      for (const profile of PROFILES) {
        const rows = result.rows.filter((r) => r.profile === profile);
        expect(new Set(rows.map((r) => r.figure))).toEqual(new Set(ROW_FIGURES));
        for (const row of rows) expect(row.measured, `${row.figure} ${row.metric}`).not.toContain('n/a');
        expect(rows.filter((r) => r.figure === '6. Memory' && r.metric.startsWith(PACED_LABEL)).length, 'figure 6 at a steady rate: RSS, ours, ours anonymous').toBe(3);
        const alternatives = result.alternatives.filter((r) => r.profile === profile);
        expect(alternatives.map((r) => r.approach.slice(0, 3))).toEqual(['(a)', '(b)', '(c)', '(d)']);
        for (const alt of alternatives) expect(alt.completed).toMatch(/^\d+\/[1-9]\d*$/);
      }
      const svg = readFileSync(join(dir, 'timeline.svg'), 'utf8');
      expect(svgProblems(svg)).toEqual([]);
      for (const label of ['invoke start', 'response posted', 'extension release', 'frozen', 'post-slack-reply']) expect(svg).toContain(label);
    } finally {
      if (dir !== keep) rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
