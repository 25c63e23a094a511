// What importing the client costs a handler module, and how much of that is the rig's stand-in
// for Lambda's ESM resolution from layers (test/rig/runtime/esm-layer-resolve.mjs: a failed
// resolution, then a retry from each NODE_PATH dir). Figure 1's function with the layer imports the
// client that way; its baseline imports nothing. Instruction counts (instruction-count.ts), one
// fresh process per variant and profile: a handler that imports nothing, a relative module, the
// client from node_modules beside it (and a one-line package there), and the client from a layer dir through the rig's hook.
// `npx vite-node bench/resolve-hook-micro.ts` (needs valgrind; dist/ built).
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools, rigDir } from '../test/rig/tools.ts';
import { countingCommand, parseInstructions, requireValgrind } from './instruction-count.ts';
import { LAYER_DIR } from './sandboxes.ts';
import type { Profile } from './types.ts';

const CLIENT = join(LAYER_DIR, 'nodejs', 'node_modules', 'lambda-after-response');
const IMPORT_CLIENT = "import { enqueueAfterResponse } from 'lambda-after-response';\nif (typeof enqueueAfterResponse !== 'function') throw new Error('no client');\n";

interface Variant { readonly name: string; readonly handler: string; readonly hook: boolean }

/** Task dirs for each variant under `root`; the layer's client at root/opt/nodejs/node_modules. */
function layout(root: string): Variant[] {
  const task = (name: string, files: Record<string, string>): string => {
    mkdirSync(join(root, name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, file), text);
    return join(root, name, 'handler.mjs');
  };
  cpSync(CLIENT, join(root, 'opt', 'nodejs', 'node_modules', 'lambda-after-response'), { recursive: true });
  const bundled = task('bundled', { 'handler.mjs': IMPORT_CLIENT });
  cpSync(CLIENT, join(root, 'bundled', 'node_modules', 'lambda-after-response'), { recursive: true });
  // The first bare import of a process costs node's package resolution, whatever the package: a one-line one.
  const tiny = task('tiny', { 'handler.mjs': "import { x } from 'one-line';\nif (x !== 1) throw new Error('no x');\n" });
  mkdirSync(join(root, 'tiny', 'node_modules', 'one-line'), { recursive: true });
  writeFileSync(join(root, 'tiny', 'node_modules', 'one-line', 'package.json'), JSON.stringify({ name: 'one-line', type: 'module', exports: { '.': { import: './index.mjs' } } }));
  writeFileSync(join(root, 'tiny', 'node_modules', 'one-line', 'index.mjs'), 'export const x = 1;\n');
  return [
    { name: 'imports nothing (hook loaded)', handler: task('none', { 'handler.mjs': 'export {};\n' }), hook: true },
    { name: 'imports nothing, no hook', handler: join(root, 'none', 'handler.mjs'), hook: false },
    { name: 'imports a relative module', handler: task('relative', { 'handler.mjs': "import './x.mjs';\n", 'x.mjs': 'export const x = 1;\n' }), hook: true },
    { name: 'a one-line package from node_modules', handler: tiny, hook: true },
    { name: 'the client from node_modules', handler: bundled, hook: true },
    { name: 'the client from the layer (hook)', handler: task('layer', { 'handler.mjs': IMPORT_CLIENT }), hook: true },
  ];
}

function count(node: string, variant: Variant, nodePath: string): number {
  const hook = variant.hook ? [`--import=${join(rigDir, 'runtime', 'esm-layer-resolve.mjs')}`] : [];
  const { command, args } = countingCommand(node, [...hook, variant.handler]);
  const run = process.getBuiltinModule('node:child_process').spawnSync(command, args, { env: { PATH: process.env.PATH ?? '', NODE_PATH: nodePath }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${variant.name}: exit ${String(run.status)}: ${run.stderr.slice(-500)}`);
  return parseInstructions(run.stderr);
}

function main(): void {
  requireValgrind();
  const root = mkdtempSync(join(tmpdir(), 'resolve-hook-micro-'));
  const variants = layout(root);
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as const satisfies readonly Profile[]) {
    const tools = profileTools(profile);
    // As the bootstrap sets it: the runtime-specific layer dir first, then the generic one.
    const nodePath = [join(root, 'opt', 'nodejs', `node${String(tools.nodeMajor)}`, 'node_modules'), join(root, 'opt', 'nodejs', 'node_modules')].join(':');
    const base = count(join(tools.nodeDir, 'bin', 'node'), variants[0]!, nodePath);
    for (const v of variants) {
      const ir = count(join(tools.nodeDir, 'bin', 'node'), v, nodePath);
      console.log(`${profile} ${v.name.padEnd(34)} ${(ir / 1e6).toFixed(3)} M instructions (Δ ${((ir - base) / 1e6).toFixed(3)} M)`);
    }
  }
}

main();
