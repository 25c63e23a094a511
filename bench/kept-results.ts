// `npm run bench -- --figures 1,6` re-measures some figures: the results file keeps the other
// figures' rows (and figure 7's table) from the run already there, so a partial re-run never
// drops committed numbers; the report says which figures were kept and from which run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlternativeRow, Row } from './types.ts';

export interface Kept {
  readonly rows: Row[];
  readonly alternatives: AlternativeRow[];
  /** The kept figures' numbers (`'2'`, `'7'`…), ascending. */
  readonly figures: string[];
  /** The date of the run they come from, when its results.json names one. */
  readonly from: string | undefined;
}

const NOTHING: Kept = { rows: [], alternatives: [], figures: [], from: undefined };

/** The figure number of a row's `figure` (`'6. Memory'` → `'6'`). */
export function figureNumber(figure: string): string {
  return figure.split('.')[0] ?? figure;
}

/**
 * The rows of `previous` (a results.json's parsed content) for figures this run did not measure.
 * Nothing is kept from a file of the other mode (a quick run's rows never join a full run's) or
 * one that is not a results file.
 * @param ran whether this run measured a figure (by number)
 */
export function keptRows(previous: unknown, options: { ran: (figure: string) => boolean; quick: boolean }): Kept {
  if (typeof previous !== 'object' || previous === null) return NOTHING;
  const file = previous as { quick?: unknown; date?: unknown; rows?: unknown; alternatives?: unknown };
  if (file.quick !== options.quick || !Array.isArray(file.rows)) return NOTHING;
  const rows = (file.rows as Row[]).filter((r) => typeof r.figure === 'string' && !options.ran(figureNumber(r.figure)));
  const alternatives = !options.ran('7') && Array.isArray(file.alternatives) ? (file.alternatives as AlternativeRow[]) : [];
  const figures = [...new Set([...rows.map((r) => figureNumber(r.figure)), ...(alternatives.length > 0 ? ['7'] : [])])].sort((a, b) => Number(a) - Number(b));
  return { rows, alternatives, figures, from: typeof file.date === 'string' ? file.date : undefined };
}

/**
 * keptRows of `dir`/results.json, or nothing when there is none. A results.json written before it
 * carried its date is dated by its results.md (`Measured 2026-12-06, …`).
 */
export function keptFromDir(dir: string, options: { ran: (figure: string) => boolean; quick: boolean }): Kept {
  const json = join(dir, 'results.json');
  if (!existsSync(json)) return NOTHING;
  const kept = keptRows(JSON.parse(readFileSync(json, 'utf8')) as unknown, options);
  const md = join(dir, 'results.md');
  if (kept.from !== undefined || !existsSync(md)) return kept;
  return { ...kept, from: /^Measured (\d{4}-\d{2}-\d{2}),/.exec(readFileSync(md, 'utf8'))?.[1] };
}
