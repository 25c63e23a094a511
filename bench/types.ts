// Shared shapes of the benchmark: options, repetition counts and the rows the figures produce.
import type { Profile } from '../test/rig/types.ts';

export type { Profile };

export interface Counts {
  coldStarts: number; // per variant and profile (each is a new sandbox)
  warmPairs: number;
  responsePairs: number;
  releaseInvokes: number;
  socketInvokes: number; // per kind (hold command, forked worker): each spawns processes
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
  /** Function memory sizes (MB) for figures 1 and 6, each with its baseline at that size. @default 128, 512, 1024 (quick: 128) */
  memorySizes?: readonly number[];
  /** Figure numbers to run ('1'…'12'; `--figures`, `--figure`). @default every figure */
  figures?: ReadonlySet<string>;
}

export interface FigureContext {
  profile: Profile;
  counts: Counts;
  log: (line: string) => void;
  /** The function's memory size (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; the bootstrap sizes V8's heap from it). */
  memorySizeMb: number;
  /** The realistic workload's loopback HTTP service (workloads.ts), started for the whole run. */
  serviceUrl: string;
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
