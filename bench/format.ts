// Cell formatting for the markdown tables.
import type { Summary } from './stats.ts';

export type Unit = 'ms' | 'µs' | 'MB';

export function num(value: number, unit: Unit, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}` : 'n/a';
}

/** `median (min–max, n=N)`, plus p99 when asked for. */
export function cell(s: Summary, unit: Unit, digits = 2, withP99 = false): string {
  if (s.n === 0) return 'n/a';
  const p99 = withP99 ? `, p99 ${s.p99.toFixed(digits)}` : '';
  return `${num(s.median, unit, digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}${p99}, n=${s.n})`;
}

export function delta(a: number, b: number, unit: Unit, digits = 2): string {
  const d = a - b;
  return Number.isFinite(d) ? `${d >= 0 ? '+' : ''}${d.toFixed(digits)} ${unit}` : 'n/a';
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(3)}×` : 'n/a';
}

export function verdict(met: boolean | undefined): string {
  if (met === undefined) return '—';
  return met ? '✅ met' : '❌ missed';
}
