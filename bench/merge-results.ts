// A run of some figures (`--figures 1,6`) into a results folder that holds a full run: the rows
// of the figures not re-run are kept from it, and the report says which figures were re-measured
// when (README's cost table reads figures 1 and 6 from results.json; rewriting the file with two
// figures only would have dropped the other ten).
import type { AlternativeRow, Row } from './types.ts';

/** What results.json holds. */
export interface StoredResults {
  readonly quick: boolean;
  readonly date: string;
  readonly seconds: number;
  readonly load?: { readonly atStart: string; readonly atEnd: string } | undefined;
  readonly rows: readonly Row[];
  readonly alternatives: readonly AlternativeRow[];
  /** Figures re-measured after the run the other rows come from, with the day of each. */
  readonly remeasured?: ReadonlyArray<Remeasured> | undefined;
}

/** Figures re-run on `date`, with that run's load average. */
export interface Remeasured {
  readonly figures: readonly string[];
  readonly date: string;
  readonly load?: { readonly atStart: string; readonly atEnd: string } | undefined;
}

/** A row's figure number: `'1'` for `'1. Init overhead'`. */
export function figureNumber(row: Pick<Row, 'figure'>): string {
  return /^(\d+)\./.exec(row.figure)?.[1] ?? row.figure;
}

/**
 * `fresh` (a run of `figures` only) over `previous` (undefined when there is none, or when either
 * is a quick run: a quick run is never mixed with a full one). Figure 7 is the alternatives table.
 */
export function mergeResults(previous: StoredResults | undefined, fresh: StoredResults, figures: ReadonlySet<string> | undefined): StoredResults {
  if (!previous || !figures || previous.quick || fresh.quick) return fresh;
  const kept = previous.rows.filter((row) => !figures.has(figureNumber(row)));
  const rows = [...kept, ...fresh.rows].sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true }));
  const earlier = (previous.remeasured ?? []).map((entry) => ({ ...entry, figures: entry.figures.filter((f) => !figures.has(f)) })).filter((entry) => entry.figures.length > 0);
  const remeasured: Remeasured[] = [...earlier, { figures: [...figures].sort((a, b) => Number(a) - Number(b)), date: fresh.date, load: fresh.load }];
  return {
    ...previous, rows,
    alternatives: figures.has('7') ? fresh.alternatives : previous.alternatives,
    remeasured,
  };
}

/** One line for the report's head: which figures come from which day. */
export function remeasuredLine(results: Pick<StoredResults, 'remeasured' | 'date'>): string | undefined {
  if (!results.remeasured?.length) return undefined;
  const parts = results.remeasured.map(({ figures, date, load }) => `figure${figures.length > 1 ? 's' : ''} ${figures.join(', ')} re-measured ${date}${load ? ` (load average ${load.atStart} at the start, ${load.atEnd} at the end)` : ''}`);
  return `Figures from the full run of ${results.date}, except: ${parts.join('; ')}.`;
}

/**
 * What results.json holds, read: a run's flag, rows and alternatives; its day from the file, or
 * else from `reportDay` (results.md's first line: files written before the day was stored in
 * results.json have it only there). Undefined for anything else.
 */
export function readStoredResults(value: unknown, reportDay: string | undefined): StoredResults | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stored = value as Record<string, unknown>;
  const { quick, rows, alternatives } = stored;
  const date = typeof stored.date === 'string' ? stored.date : reportDay;
  if (typeof quick !== 'boolean' || !Array.isArray(rows) || !Array.isArray(alternatives) || date === undefined) return undefined;
  return { ...(value as StoredResults), date };
}

/** The day in a report's first line (`Measured 2026-12-06, …`). */
export function reportDay(markdown: string): string | undefined {
  return /^Measured (\d{4}-\d{2}-\d{2})/.exec(markdown)?.[1];
}
