// The floor: a minimal, correct internal extension layer (bench/floor/), to measure what ANY layer
// that holds the environment with an internal Node extension and ships a package for the handler
// pays, whatever its code: the exec wrapper's `sh`, Node loading an `--import` preload, the first
// TCP connect of the process (register, then the `next` long-poll), and the handler's first
// package resolution from /opt/nodejs/node_modules. Figure 1 runs it beside the layer and the
// function without one; bench/init-floor.ts counts each of those steps in instructions.
// Laid out in a private directory (mounted at /opt): git ignores node_modules, and the wrapper
// must be executable.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from '../test/rig/run-dir.ts';

export const FLOOR_SOURCES = fileURLToPath(new URL('./floor', import.meta.url));
/** AWS_LAMBDA_EXEC_WRAPPER for a function with the floor layer. */
export const FLOOR_WRAPPER = '/opt/floor-wrapper';
/** The package the floor's handlers import (bench/floor/one-line). */
export const FLOOR_PACKAGE = 'floor-one-line';

/** Writes the floor layer's /opt layout under `root` (default: a new dir in the rig's run dir) and returns it. */
export function floorLayer(root: string = mkdtempSync(join(runDir(), 'bench-floor-'))): string {
  const dir = join(root, 'layer');
  const pkg = join(dir, 'nodejs', 'node_modules', FLOOR_PACKAGE);
  mkdirSync(join(dir, 'floor'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(FLOOR_SOURCES, 'wrapper.sh'), join(dir, 'floor-wrapper'));
  chmodSync(join(dir, 'floor-wrapper'), 0o755);
  copyFileSync(join(FLOOR_SOURCES, 'preload.mjs'), join(dir, 'floor', 'preload.mjs'));
  for (const file of ['package.json', 'index.mjs']) copyFileSync(join(FLOOR_SOURCES, 'one-line', file), join(pkg, file));
  return dir;
}
