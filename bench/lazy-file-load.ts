// What the first load of each lazily required file of the layer costs where the extension loads it
// (extension/lazy-file.ts: `createRequire` from the bundle's URL, then `require('./<file>')`), in a
// fresh process of each profile's Node: instructions (valgrind, exact: instruction-count.ts) over
// the same process without the load, and wall time (µs, `performance.now()` around the load, the
// median of --runs processes). Two states of the process: "runtime", where CommonJS's loader was
// used once already, as both runtime clients do (they `require` their native client) — a load in
// an invoke; and "first require", where nothing was required yet — the figure the existing files'
// docs quote (1.4 / 3.1 M). Each process first loads the builtins the runtime client loads
// anyway (runtime-builtins.ts).
// `npx vite-node bench/lazy-file-load.ts -- [--layer DIR] [--runs N] [--no-instructions]` (default:
// dist/layer, every *.cjs beside lambda-after-response/extension.mjs; 15 runs; needs valgrind
// unless --no-instructions).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { countingCommand, parseInstructions, requireValgrind } from './instruction-count.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import { LAYER_DIR } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

type State = 'runtime' | 'first require';

interface Args { readonly layer: string; readonly runs: number; readonly instructions: boolean }

function parse(argv: readonly string[]): Args {
  let layer = LAYER_DIR;
  let runs = 15;
  let instructions = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--layer') layer = resolve(argv[++i] ?? '');
    else if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--no-instructions') instructions = false;
    else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Expected \`--runs\` to be an integer ≥ 1, got ${String(runs)}`);
  return { layer, runs, instructions };
}

/** A preload-like module beside the file: the builtins, the state, then (with `file`) the timed load; prints the µs. */
function script(profile: Profile, state: State, file: string | undefined): string {
  const builtins = `for (const m of ${JSON.stringify(RUNTIME_BUILTINS[profile])}) process.getBuiltinModule(m);\n`;
  const used = state === 'runtime' ? "process.getBuiltinModule('node:module').createRequire(import.meta.url)('./one-line.cjs');\n" : '';
  const load = file === undefined ? '' : `process.getBuiltinModule('node:module').createRequire(import.meta.url)(${JSON.stringify(`./${file}`)});\n`;
  // stdout touched first (the runtime client's logging has), and read after the clock: its set-up is not the load's.
  return `${builtins}${used}void process.stdout;\nconst start = performance.now();\n${load}const us = Math.round((performance.now() - start) * 1000);\nprocess.stdout.write(String(us));\n`;
}

function run(node: string, path: string, counting: boolean): { us: number; instructions: number | undefined } {
  const { command, args } = counting ? countingCommand(node, [path]) : { command: node, args: [path] };
  const child = spawnSync(command, args, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${command} ${path} failed (${String(child.status)}): ${child.stderr.slice(-300)}`);
  return { us: Number(child.stdout), instructions: counting ? parseInstructions(child.stderr) : undefined };
}

function measure(node: string, dir: string, profile: Profile, state: State, file: string | undefined, args: Args): { us: number; instructions: number | undefined } {
  const path = join(dir, `${profile}-${state.replace(' ', '-')}-${file ?? 'none'}.mjs`);
  writeFileSync(path, script(profile, state, file));
  const us = summarize(Array.from({ length: args.runs }, () => run(node, path, false).us)).median;
  return { us, instructions: args.instructions ? run(node, path, true).instructions : undefined };
}

function main(): void {
  const args = parse(process.argv.slice(2).filter((a) => a !== '--'));
  if (args.instructions) requireValgrind();
  const source = join(args.layer, 'lambda-after-response');
  const files = readdirSync(source).filter((name) => name.endsWith('.cjs')).sort();
  const dir = mkdtempSync(join(tmpdir(), 'lazy-file-load-'));
  try {
    for (const file of files) copyFileSync(join(source, file), join(dir, file));
    writeFileSync(join(dir, 'one-line.cjs'), 'module.exports = 1;\n');
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      const node = join(profileTools(profile).nodeDir, 'bin', 'node');
      for (const state of ['runtime', 'first require'] as const) {
        const base = measure(node, dir, profile, state, undefined, args);
        for (const file of files) {
          const loaded = measure(node, dir, profile, state, file, args);
          const count = loaded.instructions === undefined || base.instructions === undefined ? '' : `${((loaded.instructions - base.instructions) / 1e6).toFixed(2)} M instructions, `;
          console.log(`${profile} ${state.padEnd(13)} ${file.padEnd(14)} ${count}${String(loaded.us)} µs (median of ${String(args.runs)}; the timer alone ${String(base.us)} µs)`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
