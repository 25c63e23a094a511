// bench/soak.ts's command line.
import { fileURLToPath } from 'node:url';
import type { Profile } from './types.ts';

export const SOAK_PARTS = ['invokes', 'children'] as const;
export type SoakPart = (typeof SOAK_PARTS)[number];

export interface SoakOptions {
  profiles: Profile[];
  parts: ReadonlySet<SoakPart>;
  /** Ascending invoke counts (of each function) at which both are read. */
  checkpoints: number[];
  children: number;
  warmChildren: number;
  memorySizeMb: number;
  resultsDir: string;
  quick: boolean;
}

const USAGE = 'usage: npx vite-node bench/soak.ts -- [--quick] [--profile nodejs22.x|nodejs24.x]... [--parts invokes,children] [--invokes N | --checkpoints N,N,…] [--children N] [--warm-children N] [--memory MB] [--results-dir DIR]';
const PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];
/** Checkpoints as fractions of `--invokes`: 1k, 2.5k, 5k, 7.5k and 10k of the default 10,000. */
const FRACTIONS = [0.1, 0.25, 0.5, 0.75, 1];

export function checkpointsFor(invokes: number): number[] {
  return [...new Set(FRACTIONS.map((f) => Math.max(1, Math.round(invokes * f))))];
}

/** Defaults: both profiles, both parts, 10,000 invokes, 3,000 children after 300; `--quick`: 200 invokes, 30 children after 10. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const quick = argv.includes('--quick');
  const o: SoakOptions = {
    profiles: [], parts: new Set(SOAK_PARTS), checkpoints: checkpointsFor(quick ? 200 : 10_000), children: quick ? 30 : 3000,
    warmChildren: quick ? 10 : 300, memorySizeMb: 512, resultsDir: fileURLToPath(new URL('./results', import.meta.url)), quick,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => argv[++i] ?? '';
    if (arg === '--' || arg === '--quick') continue;
    else if (arg === '--profile') o.profiles.push(profileArg(value()));
    else if (arg === '--parts') o.parts = new Set(value().split(',').map(partArg));
    else if (arg === '--invokes') o.checkpoints = checkpointsFor(count(arg, value()));
    else if (arg === '--checkpoints') o.checkpoints = value().split(',').map((v) => count(arg, v)).sort((a, b) => a - b);
    else if (arg === '--children') o.children = count(arg, value());
    else if (arg === '--warm-children') o.warmChildren = count(arg, value(), 0);
    else if (arg === '--memory') o.memorySizeMb = count(arg, value(), 128);
    else if (arg === '--results-dir') o.resultsDir = value();
    else throw new Error(`unknown argument ${String(arg)}\n${USAGE}`);
  }
  if (o.profiles.length === 0) o.profiles = [...PROFILES];
  if (o.resultsDir === '') throw new Error(`--results-dir needs a directory\n${USAGE}`);
  return o;
}

function count(flag: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} expects an integer ≥ ${min}, got ${JSON.stringify(value)}\n${USAGE}`);
  return n;
}

function profileArg(value: string): Profile {
  const found = PROFILES.find((p) => p === value);
  if (found === undefined) throw new Error(`unknown profile ${JSON.stringify(value)}\n${USAGE}`);
  return found;
}

function partArg(value: string): SoakPart {
  const found = SOAK_PARTS.find((p) => p === value.trim());
  if (found === undefined) throw new Error(`unknown part ${JSON.stringify(value)} (expected ${SOAK_PARTS.join(', ')})\n${USAGE}`);
  return found;
}
