// Writes the held floor's /opt layout (bench/floor/held/: the floor's preload holding each invoke's
// jobs with one Promise.allSettled, and a package named lambda-after-response whose
// enqueueAfterResponse starts a job and keeps its promise) and prints its directory, for
// `bench/memory-ab.ts -- --layer held=DIR` and `bench/alloc-sampling.ts -- --layer DIR`, which set
// AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response as for the layer.
// `npx vite-node bench/floor-held.ts -- [--dir DIR]` (default: a new directory in the rig's run dir)
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from '../test/rig/run-dir.ts';
import { FLOOR_SOURCES } from './floor-layer.ts';
import { runScript, scriptOption } from './run-script.ts';

/** The held floor's layer under `root`; returns its directory. */
export function heldFloorLayer(root: string): string {
  const dir = join(root, 'layer');
  const pkg = join(dir, 'nodejs', 'node_modules', 'lambda-after-response');
  mkdirSync(join(dir, 'floor'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(FLOOR_SOURCES, 'wrapper.sh'), join(dir, 'after-response'));
  chmodSync(join(dir, 'after-response'), 0o755);
  copyFileSync(join(FLOOR_SOURCES, 'held', 'preload.mjs'), join(dir, 'floor', 'preload.mjs'));
  for (const file of ['package.json', 'index.mjs']) copyFileSync(join(FLOOR_SOURCES, 'held', 'package', file), join(pkg, file));
  return dir;
}

async function main(): Promise<void> {
  const dir = scriptOption('dir', '');
  console.log(heldFloorLayer(dir === '' ? mkdtempSync(join(runDir(), 'bench-floor-held-')) : dir));
}

runScript(main);
