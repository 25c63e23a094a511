// Order statistics of a sample: the benchmark reports medians with their spread.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p99: number;
}

function quantile(sorted: number[], q: number): number {
  // Nearest rank: with few samples p99 is the maximum, which is the honest reading.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(values: number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN, p99: NaN };
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? (sorted[Math.floor(mid)] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { n: sorted.length, median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, p99: quantile(sorted, 0.99) };
}
