// Command-line options and the repetition counts of a full and a quick run.
import { fileURLToPath } from 'node:url';
import type { BenchOptions, Counts, Profile } from './types.ts';

export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const ALL_PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];

const FULL: Counts = {
  coldStarts: 20, warmPairs: 300, responsePairs: 200, releaseInvokes: 400, perJobPairs: 30,
  perJobJobs: 10_000, memoryInvokes: 1_000, leakInvokes: 5_000, alternativeReps: 5,
};
const QUICK: Counts = {
  coldStarts: 3, warmPairs: 30, responsePairs: 20, releaseInvokes: 30, perJobPairs: 3,
  perJobJobs: 10_000, memoryInvokes: 100, leakInvokes: 300, alternativeReps: 1,
};

export function countsFor(quick: boolean): Counts {
  return quick ? QUICK : FULL;
}

const USAGE = 'usage: npm run bench -- [--quick] [--results-dir DIR] [--profile nodejs22.x|nodejs24.x] [--figure N]';

/** Parses `--quick`, `--results-dir DIR` and `--profile P` (repeatable; default both). */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, resultsDir: DEFAULT_RESULTS_DIR, profiles: ALL_PROFILES, log: console.log };
  const profiles: Profile[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue; // npm/vite-node pass it through
    if (arg === '--quick') options.quick = true;
    else if (arg === '--results-dir') options.resultsDir = argv[++i] ?? '';
    else if (arg === '--profile') profiles.push(profileArg(argv[++i]));
    else if (arg === '--figure') options.figures = [...(options.figures ?? []), argv[++i] ?? ''];
    else throw new Error(`unknown argument ${String(arg)}\n${USAGE}`);
  }
  if (options.resultsDir === '') throw new Error(`--results-dir needs a directory\n${USAGE}`);
  if (profiles.length > 0) options.profiles = profiles;
  return options;
}

function profileArg(value: string | undefined): Profile {
  const found = ALL_PROFILES.find((p) => p === value);
  if (found === undefined) throw new Error(`unknown profile ${String(value)}\n${USAGE}`);
  return found;
}
