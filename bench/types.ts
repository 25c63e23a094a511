// Shared shapes of the benchmark: options, repetition counts and the rows the figures produce.
import type { Profile } from '../test/rig/types.ts';

export type { Profile };

export interface Counts {
  coldStarts: number; // per variant and profile (each is a new sandbox)
  warmPairs: number;
  responsePairs: number;
  releaseInvokes: number;
  perJobPairs: number;
  perJobJobs: number;
  memoryInvokes: number; // per variant, before the with/without reading
  leakInvokes: number; // invokes of each function at the leak reading (both continue, alternating)
  alternativeReps: number;
}

export interface BenchOptions {
  quick: boolean;
  resultsDir: string;
  profiles: readonly Profile[];
  log: (line: string) => void;
  /** `--figure N`: only the timed figures numbered N (no alternatives, timeline or memory). */
  figures?: readonly string[];
}

export interface FigureContext {
  profile: Profile;
  counts: Counts;
  log: (line: string) => void;
}

/** One line of the main table; cells are preformatted by the figure that measured them. */
export interface Row {
  figure: string;
  profile: Profile;
  metric: string;
  measured: string;
  baseline: string;
  delta: string;
  ratio: string;
  goal: string;
  met: boolean | undefined; // undefined: no goal
}

export interface AlternativeRow {
  profile: Profile;
  approach: string;
  response: string;
  completed: string;
  billed: string;
}

export interface TimelineJob {
  name: string;
  start: number; // ms since the invoke started
  end: number;
}

export interface TimelinePanel {
  title: string;
  marks: Array<{ label: string; at: number }>; // ms since the invoke started
  jobs: TimelineJob[];
}

export interface BenchResult {
  markdown: string;
  rows: Row[];
  alternatives: AlternativeRow[];
  svg: string;
  seconds: number;
}
