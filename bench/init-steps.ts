// The extension's init, step by step, in instructions: one build of extension/main.ts per step,
// returning from `main` after that step, each counted by init-micro.ts --instructions (both
// profiles; a step's cost is its count minus the previous step's). The early return is a test V8
// cannot fold away and esbuild cannot drop (`typeof globalThis.<unset>`), so every build carries
// the same code and only the work done differs. The layer dirs share one parent and equal-length
// names: a layer path's length alone moves a count by up to 0.07 M.
// `npx vite-node bench/init-steps.ts -- [--out DIR]` (default: a temp dir, removed after; needs valgrind and dist/).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runScript } from './run-script.ts';

const ROOT = join(import.meta.dirname, '..');
const LAYER = join(ROOT, 'dist', 'layer', 'lambda-after-response');

/** Each step's last line in main.ts (the return goes after it); the first returns before any step. */
const STEPS: ReadonlyArray<[name: string, after: RegExp | 'start' | 'end']> = [
  ['s0-load', 'start'],
  ['s1-config', /^ {2}const \{ config, problems \} = parseConfig\(.*$/m],
  ['s2-lifecycle', /^ {2}const lifecycle = createLifecycle\([^]*?^ {2}\}\);$/m],
  ['s3-host-ctx', /^ {2}attributeServerRequests\(.*$/m],
  ['s4-register', /^ {2}const registration = .*$/m],
  ['s5-socket', /^ {2}if \(!config\.managedInstances\) prepareSocket\(.*$/m],
  ['s6-full', 'end'],
];

const RETURN = "  if (typeof globalThis.__initStepsNeverSet === 'undefined') return;\n";

function variant(source: string, after: RegExp | 'start' | 'end'): string {
  if (after === 'end') return source;
  const at = after === 'start' ? /^async function main\(\): Promise<void> \{\n/m.exec(source) : after.exec(source);
  if (!at) throw new Error(`bench/init-steps.ts: main.ts has no line matching ${String(after)}: update STEPS`);
  const end = at.index + at[0].length + (after === 'start' ? 0 : 1);
  return source.slice(0, end) + RETURN + source.slice(end);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const given = args[0] === '--out' ? args[1] : undefined;
  const out = given ?? mkdtempSync(join(tmpdir(), 'init-steps-'));
  try {
    await measure(out);
  } finally {
    if (given === undefined) rmSync(out, { recursive: true, force: true });
  }
}

async function measure(out: string): Promise<void> {
  if (!existsSync(join(LAYER, 'extension.mjs'))) throw new Error(`${LAYER} is missing: run bash build.sh first`);
  const source = readFileSync(join(ROOT, 'extension', 'main.ts'), 'utf8');
  const version = (JSON.parse(readFileSync(join(ROOT, 'client', 'package.json'), 'utf8')) as { version: string }).version;
  const layers: string[] = [];
  for (const [name, after] of STEPS) {
    const dir = join(out, name, 'lambda-after-response');
    mkdirSync(dir, { recursive: true });
    await build({
      stdin: { contents: variant(source, after), resolveDir: join(ROOT, 'extension'), sourcefile: 'main.ts', loader: 'ts' },
      bundle: true, platform: 'node', target: 'node22', format: 'esm', minifyWhitespace: true, minifySyntax: true, legalComments: 'none',
      logLevel: 'warning', define: { LAYER_VERSION: JSON.stringify(version) }, outfile: join(dir, 'extension.mjs'),
    });
    // The lazily required files, as build.sh made them.
    for (const file of readdirSync(LAYER)) if (file.endsWith('.cjs')) copyFileSync(join(LAYER, file), join(dir, file));
    layers.push('--layer', `${name}=${join(out, name)}`);
  }
  const run = spawnSync('npx', ['vite-node', join(ROOT, 'bench', 'init-micro.ts'), '--', '--instructions', ...layers], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`init-micro.ts exited with ${String(run.status)}`);
}

runScript(main);
