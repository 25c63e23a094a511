// What loading the extension's bundle costs before any of it runs, in instructions
// (bench/init-micro.ts --instructions, valgrind: exact under load): three copies of dist/layer
// whose extension.mjs is (a) as built, (b) the same code inside one exported function never called
// — V8 reads it and pre-parses every function in it, compiles and runs nothing — and (c) the same
// text as one string literal — read and scanned, not parsed. (b) − (c) is the pre-parse; (a) − (b)
// is compiling and running what init runs. Directory names of equal length: a path's length alone
// moves a count by up to 0.07 M.
// `npx vite-node bench/bundle-parse.ts`
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runDir } from '../test/rig/run-dir.ts';
import { LAYER_DIR } from './sandboxes.ts';
import { oneText, unrunFunction } from './bundle-rewrites.ts';
import { runScript } from './run-script.ts';

const ENTRY = join('lambda-after-response', 'extension.mjs');

function variant(root: string, name: string, rewrite: (code: string) => string): string {
  const dir = join(root, name);
  cpSync(LAYER_DIR, dir, { recursive: true });
  writeFileSync(join(dir, ENTRY), rewrite(readFileSync(join(dir, ENTRY), 'utf8')));
  return `${name}=${dir}`;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(runDir(), 'bundle-parse-'));
  const layers = [variant(root, 'as-built', (c) => c), variant(root, 'unrun-fn', unrunFunction), variant(root, 'one-text', oneText)];
  const r = spawnSync('npx', ['vite-node', 'bench/init-micro.ts', '--', '--instructions', ...layers.flatMap((l) => ['--layer', l])], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`init-micro exited ${String(r.status)}`);
}

runScript(main);
