// What importing the client costs a handler module, and how much of that is the rig's stand-in
// for Lambda's ESM resolution from layers (test/rig/runtime/esm-layer-resolve.mjs: a failed
// resolution, then a retry from each NODE_PATH dir). Figure 1's function with the layer imports the
// client that way; its baseline imports nothing. Instruction counts (instruction-count.ts), one
// fresh process per variant and profile: a handler that imports nothing, a relative module, the
// client from node_modules beside it (and a one-line package there), and the client from a layer dir through the rig's hook;
// then what the client's first calls cost from the layer: with a host published in-process as the
// extension does (a preload, also in the "import only" row they compare with), enqueueAfterResponse
// once (no part to load) and defineTask once (tasks.cjs); with no host, enqueueAfterResponse once
// (fallback.cjs: the in-process host, its warning), against the import alone with the same preload.
// `npx vite-node bench/resolve-hook-micro.ts [-- --client DIR]` (needs valgrind; dist/ built; DIR: another
// build's lambda-after-response dir, e.g. a copy of main's, for an A/B).
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools, rigDir } from '../test/rig/tools.ts';
import { countingCommand, parseInstructions, requireValgrind } from './instruction-count.ts';
import { LAYER_DIR } from './sandboxes.ts';
import type { Profile } from './types.ts';

const clientFlag = process.argv.indexOf('--client');
const CLIENT = clientFlag > 0 && process.argv[clientFlag + 1] ? process.argv[clientFlag + 1]! : join(LAYER_DIR, 'nodejs', 'node_modules', 'lambda-after-response');
const IMPORT_CLIENT = "import { enqueueAfterResponse } from 'lambda-after-response';\nif (typeof enqueueAfterResponse !== 'function') throw new Error('no client');\n";
// The first-call rows preload one of these. Each first puts the process where the runtime client
// has it by the handler's first line: process.stdout touched (its logging; the client's first log
// line — the no-host WARN, defineTask's no-queue WARN — would otherwise be billed Node's set-up of
// the stdout stream, 46 / 49 M measured here), and CommonJS's loader used once (both runtime clients
// `require` their native client; the layer's parts are CommonJS files).
const RUNTIME_STATE = "void process.stdout;\nprocess.getBuiltinModule('node:module').createRequire(import.meta.url)('./one-line.cjs');\n";
// A host as the extension publishes it (shared/host-protocol.ts), set before the handler module loads.
const PUBLISH_HOST = RUNTIME_STATE + "globalThis[Symbol.for('lambda-after-response.host')] = { layerVersion: 'bench', protocols: { 1: { enqueue() {}, drain: () => Promise.resolve(), addFlusher: () => () => {} } } };\n";
const ENQUEUE = "import { enqueueAfterResponse } from 'lambda-after-response';\nenqueueAfterResponse(() => undefined, { name: 'bench' });\n";
const DEFINE_TASK = "import { defineTask } from 'lambda-after-response';\ndefineTask('bench', () => undefined);\n";

interface Variant { readonly name: string; readonly handler: string; readonly hook: boolean; readonly preload?: string }

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
  const host = join(root, 'publish-host.mjs');
  writeFileSync(host, PUBLISH_HOST);
  const state = join(root, 'runtime-state.mjs');
  writeFileSync(state, RUNTIME_STATE);
  writeFileSync(join(root, 'one-line.cjs'), 'module.exports = 1;\n');
  return [
    ...baseVariants(task, tiny, bundled),
    { name: 'host published, the client imported', handler: task('host-import', { 'handler.mjs': IMPORT_CLIENT }), hook: true, preload: host },
    { name: 'host published, enqueueAfterResponse once', handler: task('host-enqueue', { 'handler.mjs': ENQUEUE }), hook: true, preload: host },
    { name: 'host published, defineTask once', handler: task('host-define', { 'handler.mjs': DEFINE_TASK }), hook: true, preload: host },
    { name: 'no host, the client imported', handler: task('no-host-import', { 'handler.mjs': IMPORT_CLIENT }), hook: true, preload: state },
    { name: 'no host, enqueueAfterResponse once', handler: task('no-host-enqueue', { 'handler.mjs': ENQUEUE }), hook: true, preload: state },
  ];
}

function baseVariants(task: (name: string, files: Record<string, string>) => string, tiny: string, bundled: string): Variant[] {
  const none = task('none', { 'handler.mjs': 'export {};\n' });
  return [
    { name: 'imports nothing (hook loaded)', handler: none, hook: true },
    { name: 'imports nothing, no hook', handler: none, hook: false },
    { name: 'imports a relative module', handler: task('relative', { 'handler.mjs': "import './x.mjs';\n", 'x.mjs': 'export const x = 1;\n' }), hook: true },
    { name: 'a one-line package from node_modules', handler: tiny, hook: true },
    { name: 'the client from node_modules', handler: bundled, hook: true },
    { name: 'the client from the layer (hook)', handler: task('layer', { 'handler.mjs': IMPORT_CLIENT }), hook: true },
  ];
}

function count(node: string, variant: Variant, nodePath: string): number {
  const hook = variant.hook ? [`--import=${join(rigDir, 'runtime', 'esm-layer-resolve.mjs')}`] : [];
  if (variant.preload) hook.push(`--import=${variant.preload}`);
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
      console.log(`${profile} ${v.name.padEnd(42)} ${(ir / 1e6).toFixed(3)} M instructions (Δ ${((ir - base) / 1e6).toFixed(3)} M)`);
    }
  }
}

main();
