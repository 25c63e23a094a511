// bench/kept-results.ts: a run of some figures (`npm run bench -- --figures 1,6`) keeps the other
// figures' rows from the results already there, never mixing a quick run's rows into a full run's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { keptFromDir, keptRows } from '../../bench/kept-results.ts';
import type { AlternativeRow, Row } from '../../bench/types.ts';

const row = (figure: string, metric = 'm'): Row => ({ figure, profile: 'nodejs22.x', metric, measured: '1 ms', baseline: '1 ms', delta: '+0.0 ms', ratio: '1.000×', goal: '—', met: undefined });
const alternative: AlternativeRow = { profile: 'nodejs22.x', approach: 'a', response: 'r', completed: 'c', billed: 'b' };
const previous = { quick: false, rows: [row('1. Init overhead'), row('2. Warm invoke overhead'), row('6. Memory'), row('11. Socket release latency')], alternatives: [alternative] };
const ranOneAndSix = (figure: string): boolean => figure === '1' || figure === '6';

describe('keptRows', () => {
  test('keeps the rows of the figures this run did not measure, and figure 7 when it did not run', () => {
    const kept = keptRows(previous, { ran: ranOneAndSix, quick: false });
    expect(kept.rows.map((r) => r.figure)).toEqual(['2. Warm invoke overhead', '11. Socket release latency']);
    expect(kept.alternatives).toEqual([alternative]);
    expect(kept.figures).toEqual(['2', '7', '11']);
  });

  test('keeps nothing of a figure the run measured (figure 11 is not figure 1)', () => {
    const kept = keptRows(previous, { ran: (f) => f === '11' || f === '7', quick: false });
    expect(kept.rows.map((r) => r.figure)).toEqual(['1. Init overhead', '2. Warm invoke overhead', '6. Memory']);
    expect(kept.alternatives).toEqual([]);
  });

  test.each([
    ['a quick run into a full run', { ...previous, quick: true }],
    ['no rows array', { quick: false, rows: 'x' }],
    ['not an object', 42],
    ['null', null],
  ])('keeps nothing from %s', (_, file) => {
    expect(keptRows(file, { ran: ranOneAndSix, quick: false })).toEqual({ rows: [], alternatives: [], figures: [], from: undefined });
  });
});

describe('keptFromDir', () => {
  test('dates rows from results.json, else from the results.md header', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kept-results-'));
    writeFileSync(join(dir, 'results.json'), JSON.stringify(previous));
    writeFileSync(join(dir, 'results.md'), 'Measured 2026-12-06, full run, 1376 s\n');
    expect(keptFromDir(dir, { ran: ranOneAndSix, quick: false }).from).toBe('2026-12-06');
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...previous, date: '2026-12-07' }));
    expect(keptFromDir(dir, { ran: ranOneAndSix, quick: false }).from).toBe('2026-12-07');
  });

  test('keeps nothing when the folder has no results yet', () => {
    expect(keptFromDir(mkdtempSync(join(tmpdir(), 'kept-results-')), { ran: ranOneAndSix, quick: false }).rows).toEqual([]);
  });
});
