// Command-line options and the repetition counts of a full and a quick run.
import { fileURLToPath } from 'node:url';
import type { BenchOptions, Counts, Profile } from './types.ts';

export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const ALL_PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];

const FULL: Counts = {
  coldStarts: 20, warmPairs: 300, responsePairs: 200, releaseInvokes: 400, socketInvokes: 50, perJobPairs: 30,
  perJobJobs: 10_000, memoryInvokes: 1_000, leakInvokes: 5_000, alternativeReps: 5,
};
const QUICK: Counts = {
  coldStarts: 3, warmPairs: 30, responsePairs: 20, releaseInvokes: 30, socketInvokes: 5, perJobPairs: 3,
  perJobJobs: 10_000, memoryInvokes: 100, leakInvokes: 300, alternativeReps: 1,
};

export function countsFor(quick: boolean): Counts {
  return quick ? QUICK : FULL;
}

/** Lambda memory sizes figures 1 and 6 are measured at (the bootstrap sizes V8's heap from it). */
export const MEMORY_SIZES: readonly number[] = [128, 512, 1024];
export const QUICK_MEMORY_SIZES: readonly number[] = [128];
/** Figures 2-5, 7 and 8 run at the rig's default size. */
export const DEFAULT_MEMORY_MB = 512;

const USAGE = 'usage: npm run bench -- [--quick] [--results-dir DIR] [--profile nodejs22.x|nodejs24.x] [--memory-sizes 128,512,1024] [--figures 1,6]';

/**
 * Parses `--quick`, `--results-dir DIR`, `--profile P` (repeatable; default both),
 * `--memory-sizes MB,MB…` (figures 1 and 6; default 128,512,1024, quick 128) and
 * `--figures N,N…` (default all; `--figure N` adds one).
 */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, resultsDir: DEFAULT_RESULTS_DIR, profiles: ALL_PROFILES, log: console.log };
  const profiles: Profile[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue; // npm/vite-node pass it through
    if (arg === '--quick') options.quick = true;
    else if (arg === '--results-dir') options.resultsDir = argv[++i] ?? '';
    else if (arg === '--profile') profiles.push(profileArg(argv[++i]));
    else if (arg === '--memory-sizes') options.memorySizes = memorySizesArg(argv[++i]);
    else if (arg === '--figures' || arg === '--figure') options.figures = new Set([...(options.figures ?? []), ...figuresArg(argv[++i])]);
    else throw new Error(`unknown argument ${String(arg)}\n${USAGE}`);
  }
  if (options.resultsDir === '') throw new Error(`--results-dir needs a directory\n${USAGE}`);
  if (profiles.length > 0) options.profiles = profiles;
  return options;
}

function memorySizesArg(value: string | undefined): number[] {
  const sizes = (value ?? '').split(',').map((s) => Number(s.trim()));
  // Lambda's range: 128 MB to 10,240 MB.
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 128 || n > 10_240)) {
    throw new Error(`--memory-sizes expects MB between 128 and 10240, comma-separated; got ${JSON.stringify(value ?? '')}\n${USAGE}`);
  }
  return sizes;
}

function figuresArg(value: string | undefined): Set<string> {
  const figures = (value ?? '').split(',').map((s) => s.trim());
  if (figures.length === 0 || figures.some((f) => !/^([1-9]|1[012])$/.test(f))) throw new Error(`--figures expects figure numbers 1-12, comma-separated; got ${JSON.stringify(value ?? '')}\n${USAGE}`);
  return new Set(figures);
}

function profileArg(value: string | undefined): Profile {
  const found = ALL_PROFILES.find((p) => p === value);
  if (found === undefined) throw new Error(`unknown profile ${String(value)}\n${USAGE}`);
  return found;
}
