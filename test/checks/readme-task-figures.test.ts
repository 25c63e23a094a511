// README's task figures are the committed run of bench figure 12 (bench/results/tasks/results.json,
// written by `npm run bench -- --figure 12 --results-dir bench/results/tasks`): a re-run that
// changes them fails here until README says the new figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
interface Row { figure: string; profile: string; metric: string; measured: string; delta: string }

const rows = (JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'tasks', 'results.json'), 'utf8')) as { rows: Row[] }).rows.filter((r) => r.figure === '12. Tasks');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

/** `a / b ms` from the two profiles' cells, as README writes them. */
function pair(metricStart: string, cellOf: (row: Row) => string): string {
  const byProfile = ['nodejs22.x', 'nodejs24.x'].map((profile) => rows.find((r) => r.profile === profile && r.metric.startsWith(metricStart)));
  expect(byProfile.every(Boolean), `figure 12 rows "${metricStart}…" for both profiles`).toBe(true);
  return `${byProfile.map((row) => cellOf(row as Row).replace(/ ms$/, '')).join(' / ')} ms`;
}
const median = (row: Row): string => row.measured.split(' (')[0] ?? '';

describe('README "What it costs": the task figures', () => {
  test('are the committed figure 12 run (deltas over a job, the hand-off median)', () => {
    expect(readme).toContain(`one no-op task ${pair('response → release with one no-op task', (r) => r.delta)} over one no-op job`);
    expect(readme).toContain(`with a write-ahead task ${pair('response → release with one no-op write-ahead task', (r) => r.delta)}`);
    expect(readme).toContain(`stored ${pair('hand-off at the deadline', median)} after the grace ends`);
  });
});
