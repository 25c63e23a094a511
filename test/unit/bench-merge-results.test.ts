// A run of some figures into a folder holding a full run keeps the other figures' rows.
import { describe, expect, it } from 'vitest';
import { mergeResults, readStoredResults, remeasuredLine, reportDay, type StoredResults } from '../../bench/merge-results.ts';
import type { Row } from '../../bench/types.ts';

function row(figure: string, measured: string): Row {
  return { figure, profile: 'nodejs22.x', metric: 'm', measured, baseline: 'b', delta: 'd', ratio: 'r', goal: 'g', met: undefined };
}

function results(over: Partial<StoredResults>): StoredResults {
  return { quick: false, date: '2026-12-01', seconds: 1000, rows: [], alternatives: [], ...over };
}

const full = results({ rows: [row('1. Init overhead', 'old 1'), row('2. Warm', 'old 2'), row('6. Memory', 'old 6'), row('12. Tasks', 'old 12')] });

describe('mergeResults', () => {
  it('keeps the rows of the figures not re-run, in figure order, and says which were re-measured when', () => {
    const fresh = results({ date: '2026-12-06', load: { atStart: '0.1', atEnd: '0.2' }, rows: [row('6. Memory', 'new 6'), row('1. Init overhead', 'new 1')] });
    const merged = mergeResults(full, fresh, new Set(['6', '1']));
    expect(merged.rows.map((r) => r.measured)).toEqual(['new 1', 'old 2', 'new 6', 'old 12']);
    expect(merged.date).toBe('2026-12-01');
    expect(merged.remeasured).toEqual([{ figures: ['1', '6'], date: '2026-12-06', load: { atStart: '0.1', atEnd: '0.2' } }]);
    expect(remeasuredLine(merged)).toBe('Figures from the full run of 2026-12-01, except: figures 1, 6 re-measured 2026-12-06 (load average 0.1 at the start, 0.2 at the end).');
  });

  it('forgets an earlier re-measure of a figure measured again', () => {
    const once = mergeResults(full, results({ date: '2026-12-03', rows: [row('2. Warm', 'mid 2')] }), new Set(['2']));
    const twice = mergeResults(once, results({ date: '2026-12-06', rows: [row('2. Warm', 'new 2'), row('1. Init overhead', 'new 1')] }), new Set(['1', '2']));
    expect(twice.remeasured).toEqual([{ figures: ['1', '2'], date: '2026-12-06', load: undefined }]);
    expect(twice.rows.map((r) => r.measured)).toEqual(['new 1', 'new 2', 'old 6', 'old 12']);
  });

  it('stands alone when every figure ran, when nothing was stored, or when either run is quick', () => {
    const fresh = results({ date: '2026-12-06', rows: [row('1. Init overhead', 'new 1')] });
    expect(mergeResults(full, fresh, undefined)).toBe(fresh);
    expect(mergeResults(undefined, fresh, new Set(['1']))).toBe(fresh);
    expect(mergeResults(full, { ...fresh, quick: true }, new Set(['1'])).rows).toHaveLength(1);
    expect(mergeResults({ ...full, quick: true }, fresh, new Set(['1'])).rows).toHaveLength(1);
    expect(remeasuredLine(fresh)).toBeUndefined();
  });

  it('takes the alternatives only from a run of figure 7', () => {
    const alternative = { profile: 'nodejs22.x', approach: 'a' } as unknown as StoredResults['alternatives'][number];
    const fresh = results({ alternatives: [alternative] });
    expect(mergeResults(full, fresh, new Set(['1'])).alternatives).toEqual([]);
    expect(mergeResults(full, fresh, new Set(['7'])).alternatives).toEqual([alternative]);
  });

  it('reads only what results.json holds; a file without its day takes it from the report\'s first line', () => {
    expect(readStoredResults(full, undefined)).toEqual(full);
    const { date: _date, ...undated } = full;
    expect(readStoredResults(undated, reportDay('Measured 2026-11-30, full run, 1376 s, …'))?.date).toBe('2026-11-30');
    expect(readStoredResults(undated, reportDay('no such line'))).toBeUndefined();
    for (const bad of [null, 42, 'x', [], { quick: false, date: 'd', rows: {} }, { quick: 'no', date: 'd', rows: [], alternatives: [] }]) expect(readStoredResults(bad, '2026-12-06')).toBeUndefined();
  });
});
