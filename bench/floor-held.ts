// Writes the held floor's /opt layout (bench/floor/held/: hold.mjs, which holds each invoke's jobs
// with one Promise.allSettled and imports the floor's preload, and a package named lambda-after-response whose
// enqueueAfterResponse starts a job and keeps its promise) and prints its directory, for
// `bench/memory-ab.ts -- --layer held=DIR` and `bench/alloc-sampling.ts -- --layer DIR`, which set
// AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response as for the layer.
// `npx vite-node bench/floor-held.ts -- [--dir DIR]` (default: a new directory in the system's temporary directory)
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOOR_SOURCES } from './floor-layer.ts';
import { runScript, scriptOption } from './run-script.ts';

/** The held floor's layer under `root`; returns its directory. */
export function heldFloorLayer(root: string): string {
  const dir = join(root, 'layer');
  const pkg = join(dir, 'nodejs', 'node_modules', 'lambda-after-response');
  mkdirSync(join(dir, 'floor'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  // The floor's wrapper, preloading hold.mjs (which imports the floor's preload beside it).
  const wrapper = readFileSync(join(FLOOR_SOURCES, 'wrapper.sh'), 'utf8').replaceAll('/opt/floor/preload.mjs', '/opt/floor/hold.mjs');
  if (!wrapper.includes('/opt/floor/hold.mjs')) throw new Error('bench/floor/wrapper.sh no longer names /opt/floor/preload.mjs');
  writeFileSync(join(dir, 'after-response'), wrapper);
  chmodSync(join(dir, 'after-response'), 0o755);
  for (const file of ['preload.mjs', join('held', 'hold.mjs')]) copyFileSync(join(FLOOR_SOURCES, file), join(dir, 'floor', file.replace('held/', '')));
  for (const file of ['package.json', 'index.mjs']) copyFileSync(join(FLOOR_SOURCES, 'held', 'package', file), join(pkg, file));
  return dir;
}

async function main(): Promise<void> {
  const dir = scriptOption('dir', '');
  console.log(heldFloorLayer(dir === '' ? mkdtempSync(join(tmpdir(), 'bench-floor-held-')) : dir));
}

runScript(main);
