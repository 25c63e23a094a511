// README's cost table ("What it costs") shows figures 1 and 6 of the committed full benchmark run
// (bench/results/results.json): each cell is that run's Δ for nodejs22.x / nodejs24.x (against no
// layer, and the part of it over the floor: ours; of ours, the anonymous memory), and the
// day those figures were measured (the full run's, or a later re-run of figures 1 and 6) is the one README names. Re-running `npm run bench` without updating README fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PACED_LABEL } from '../../bench/fig-memory-paced.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const results = JSON.parse(readFileSync(join(root, 'bench', 'results', 'results.json'), 'utf8')) as { quick: boolean; rows: Array<{ figure: string; profile: string; metric: string; delta: string }>; remeasured?: Array<{ figures: string[]; date: string }> };
/** The later of the days figures 1 and 6 were measured when either was re-run after the full run (undefined when neither was). */
const remeasuredDays = ['1', '6'].flatMap((figure) => results.remeasured?.filter((entry) => entry.figures.includes(figure)).map((entry) => entry.date) ?? []);
const costsDay = remeasuredDays.sort().at(-1);
const measured = /^Measured (\d{4}-\d{2}-\d{2}), full run/.exec(readFileSync(join(root, 'bench', 'results', 'results.md'), 'utf8'))?.[1];

const section = readme.slice(readme.indexOf('## What it costs'), readme.indexOf('\n## ', readme.indexOf('## What it costs') + 1));
const tableRows = section.split('\n').filter((l) => /^\| [\d,]+ MB \| (trivial|realistic) \|/.test(l));
/** Figure 6's trivial functions at a steady rate (bench/fig-memory-paced.ts): memory only. */
const pacedRows = section.split('\n').filter((l) => l.startsWith('| ') && l.split('|')[2]?.trim() === PACED_LABEL);

/** `+10.7 / +10.9 ms`: the two profiles' Δ of the results row matching `metric`. */
function expectedCell(figure: string, metric: (m: string) => boolean): string {
  const deltas = ['nodejs22.x', 'nodejs24.x'].map((profile) => results.rows.find((r) => r.figure === figure && r.profile === profile && metric(r.metric))?.delta);
  if (deltas.some((d) => d === undefined)) return `no ${figure} row in results.json`;
  const [a = '', b = ''] = deltas as string[];
  return `${a.replace(/ [a-zA-Z]+$/, '')} / ${b}`;
}

describe("README's cost table", () => {
  test('comes from a full run (not --quick), and README names the day its figures 1 and 6 were measured', () => {
    expect(results.quick).toBe(false);
    expect(measured).toBeDefined();
    expect(section.replace(/\s+/g, ' ')).toContain(costsDay === undefined ? `the full benchmark run of ${measured ?? '?'}` : `re-measured ${costsDay}`);
  });

  test('has a trivial and a realistic row at each of 128, 512 and 1,024 MB', () => {
    expect(tableRows.map((l) => l.split('|').slice(1, 3).map((c) => c.trim()).join(' '))).toEqual(
      ['128 MB trivial', '128 MB realistic', '512 MB trivial', '512 MB realistic', '1,024 MB trivial', '1,024 MB realistic'],
    );
  });

  test.each(tableRows.map((l) => [l.split('|')[1]?.trim() ?? '', l.split('|')[2]?.trim() ?? '', l] as const))('%s %s: cold start and RSS, the part of each over the floor, and of that part\'s memory the anonymous, are the run\'s Δ', (size, workload, line) => {
    const mb = size.replace(/[ ,]|MB/g, '');
    const [cold, coldOurs, rss, rssOurs, anonOurs] = line.split('|').slice(3, 8).map((c) => c.trim());
    expect(cold).toBe(expectedCell('1. Init overhead', (m) => m.startsWith(`${workload}: cold invoke start → runtime's first`) && m.endsWith(`, ${mb} MB`)));
    expect(coldOurs).toBe(expectedCell('1. Init overhead', (m) => m.startsWith(`${workload}, layer − floor (ours): cold invoke start → runtime's first`) && m.endsWith(`, ${mb} MB`)));
    expect(rss).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${workload}: ${mb} MB function: runtime RSS after`)));
    expect(rssOurs).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${workload}, layer − floor (ours): ${mb} MB function: runtime RSS after`)));
    expect(anonOurs).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${workload}, layer − floor (ours): ${mb} MB function: anonymous memory after`)));
  });

  test('has a row at a steady rate at each of 128, 512 and 1,024 MB', () => {
    expect(pacedRows.map((l) => l.split('|')[1]?.trim())).toEqual(['128 MB', '512 MB', '1,024 MB']);
  });

  test.each(pacedRows.map((l) => [l.split('|')[1]?.trim() ?? '', l] as const))(`%s ${PACED_LABEL}: no cold start; RSS, ours and ours anonymous are the run's Δ`, (size, line) => {
    const mb = size.replace(/[ ,]|MB/g, '');
    const [cold, coldOurs, rss, rssOurs, anonOurs] = line.split('|').slice(3, 8).map((c) => c.trim());
    expect([cold, coldOurs]).toEqual(['—', '—']);
    expect(rss).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${PACED_LABEL}: ${mb} MB function: runtime RSS after`)));
    expect(rssOurs).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${PACED_LABEL}, layer − floor (ours): ${mb} MB function: runtime RSS after`)));
    expect(anonOurs).toBe(expectedCell('6. Memory', (m) => m.startsWith(`${PACED_LABEL}, layer − floor (ours): ${mb} MB function: anonymous memory after`)));
  });
});
