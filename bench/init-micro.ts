// Init cost of the preload outside the rig, robust to a busy machine: fresh node processes of
// both profiles' Node binaries, alternating the variants, each reporting its own CPU time
// (process.cpuUsage) and wall time (performance.now) when its stand-in runtime is ready, after
// the builtins the runtime clients load anyway (so the extension is not billed for loading them
// first). A local server answers `register` and holds `next`, like the Runtime API.
// `npx vite-node bench/init-micro.ts -- [--runs N] [--layer NAME=DIR]... [--env NAME:KEY=VALUE]... [--rig-hook] [--instructions]` (default:
// dist/layer; a layer dir holding extension.cjs instead is preloaded with --require; --rig-hook preloads the rig's ESM layer-resolution hook first, as the rig's bootstrap does;
// --instructions counts instead, see instruction-count.ts)
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { profileTools, rigDir } from '../test/rig/tools.ts';
import { countingCommand, parseInstructions, requireValgrind } from './instruction-count.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import { LAYER_DIR } from './sandboxes.ts';
import { standInApi } from './stand-in-runtime.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

/** `exitAfterMs`: 20 ms of wall time; under valgrind (~50× slower) 1,500 ms, so the preload's round trips are done (waiting costs no instructions). */
function standIn(profile: Profile, exitAfterMs: number): string {
  return `for (const m of ${JSON.stringify(RUNTIME_BUILTINS[profile])}) process.getBuiltinModule(m);
setTimeout(() => {
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ wallMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 }));
  process.exit(0);
}, ${exitAfterMs});
`;
}

interface Args { runs: number; rigHook: boolean; instructions: boolean; layers: Array<[string, string]>; env: Map<string, Record<string, string>> }

function parse(argv: string[]): Args {
  const args: Args = { runs: 25, rigHook: false, instructions: false, layers: [], env: new Map() };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') { args.runs = Number(argv[++i]); runsGiven = true; }
    else if (argv[i] === '--rig-hook') args.rigHook = true;
    else if (argv[i] === '--instructions') args.instructions = true;
    else if (argv[i] === '--layer') { const [n = '', d = ''] = (argv[++i] ?? '').split('='); args.layers.push([n, resolve(d)]); }
    else if (argv[i] === '--env') addEnv(args.env, argv[++i] ?? '');
    else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  // Counts repeat exactly: one run per variant unless asked for more.
  if (args.instructions && !runsGiven) args.runs = 1;
  if (args.layers.length === 0) args.layers.push(['layer', LAYER_DIR]);
  return args;
}

/** `--env NAME:KEY=VALUE`: an environment variable for the variant `NAME`'s processes only (e.g. a setting the layer reads at init). */
function addEnv(env: Args['env'], spec: string): void {
  const match = /^([^:]+):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(spec);
  if (!match) throw new Error(`Expected \`--env\` to be NAME:KEY=VALUE (a variant's name, a variable), got ${JSON.stringify(spec)}`);
  const [, name = '', key = '', value = ''] = match;
  env.set(name, { ...env.get(name), [key]: value });
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2).filter((a) => a !== '--'));
  if (args.instructions) requireValgrind();
  const dir = mkdtempSync(join(tmpdir(), 'init-micro-'));
  writeFileSync(join(dir, 'empty.mjs'), 'export {};\n');
  const api = await standInApi();
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      const node = join(profileTools(profile).nodeDir, 'bin', 'node');
      const script = join(dir, `${profile}.mjs`);
      writeFileSync(script, standIn(profile, args.instructions ? 1500 : 20));
      const variants: Array<[string, string]> = [['empty preload', join(dir, 'empty.mjs')], ...args.layers.map(([n, d]): [string, string] => [n, layerPreload(d)])];
      const out = new Map<string, Run[]>(variants.map(([n]) => [n, []]));
      for (let i = 0; i < args.runs; i++) {
        for (let k = 0; k < variants.length; k++) {
          const [name, preload] = variants[(k + i) % variants.length]!;
          const hook = args.rigHook ? [`--import=${join(rigDir, 'runtime', 'esm-layer-resolve.mjs')}`] : [];
          const nodeArgs = [...hook, `${preload.endsWith('.cjs') ? '--require' : '--import'}=${preload}`, script];
          out.get(name)?.push(await runOnce(node, nodeArgs, { api: api.address, instructions: args.instructions, env: args.env.get(name) ?? {} }));
        }
      }
      printProfile(profile, out);
    }
  } finally {
    api.close();
  }
}

interface Run { wallMs: number; cpuMs: number; instructions: number | undefined }

/** One fresh process; async, so the API server above keeps answering while it runs. */
function runOnce(node: string, nodeArgs: string[], options: { api: string; instructions: boolean; env: Readonly<Record<string, string>> }): Promise<Run> {
  const env = { ...options.env, PATH: process.env.PATH ?? '', AWS_LAMBDA_RUNTIME_API: options.api };
  const { command, args } = options.instructions ? countingCommand(node, nodeArgs) : { command: node, args: nodeArgs };
  return new Promise<Run>((done, reject) => {
    const child = process.getBuiltinModule('node:child_process').spawn(command, args, { env, stdio: ['ignore', 'pipe', options.instructions ? 'pipe' : 'inherit'] });
    let data = '';
    let errors = '';
    child.stdout?.on('data', (c: Buffer) => (data += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    child.once('error', reject).once('close', () => {
      try {
        const r = JSON.parse(data) as { wallMs: number; cpuMs: number };
        done({ ...r, instructions: options.instructions ? parseInstructions(errors) : undefined });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

function printProfile(profile: Profile, out: Map<string, Run[]>): void {
  const median = (runs: Run[] | undefined, key: (r: Run) => number | undefined): number => summarize((runs ?? []).flatMap((r) => { const v = key(r); return v === undefined ? [] : [v]; })).median;
  const base = out.get('empty preload');
  for (const [name, runs] of out) {
    if (runs[0]?.instructions !== undefined) {
      const ir = median(runs, (r) => r.instructions);
      console.log(`${profile} ${name.padEnd(16)} ${(ir / 1e6).toFixed(3)} M instructions (Δ ${((ir - median(base, (r) => r.instructions)) / 1e6).toFixed(3)} M, n=${runs.length})`);
      continue;
    }
    const w = summarize(runs.map((r) => r.wallMs));
    const c = summarize(runs.map((r) => r.cpuMs));
    console.log(`${profile} ${name.padEnd(16)} ready at ${w.median.toFixed(2)} ms wall (Δ ${(w.median - median(base, (r) => r.wallMs)).toFixed(2)}), CPU ${c.median.toFixed(2)} ms (Δ ${(c.median - median(base, (r) => r.cpuMs)).toFixed(2)}; ${c.min.toFixed(1)}–${c.max.toFixed(1)}, n=${c.n})`);
  }
}

/** The layer's preload: extension.mjs (`--import`), or extension.cjs (`--require`) for a CommonJS build. */
function layerPreload(layerDir: string): string {
  const esm = join(layerDir, 'lambda-after-response', 'extension.mjs');
  return existsSync(esm) ? esm : join(layerDir, 'lambda-after-response', 'extension.cjs');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
