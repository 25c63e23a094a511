// The garbage collections in figure 1's cold-start window under the rig (the real runtime clients
// and bootstrap, not init-floor's stand-in): for each workload, each of its three functions (with
// the layer, with the floor, without a layer) and each memory size, one cold start traced with
// `--trace-gc` (on node's command line, the rig's RIG_NODE_FLAGS) and scavenge-probe.mjs
// preloaded, which marks the runtime's first `next` in the trace. A scavenge costs ~0.6–5 M
// instructions (init-floor.ts --workload with and without --no-scavenge); which variant's init
// crosses the young generation's next threshold decides whose step pays it. Counts, not times.
// The probe, like any preload, allocates ~20 KB of young generation in every variant: with 20 KB
// more (a second preload), nodejs22.x's trivial function without a layer gained a scavenge (2026-12-06).
// `npx vite-node bench/init-scavenges.ts -- [--memory MB]...` (default 128, 512 and 1024; needs the rig and a built dist/).
import { copyFileSync, cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from '../test/rig/run-dir.ts';
import { startSandbox } from '../test/rig/sandbox.ts';
import { FLOOR_WRAPPER, floorLayer } from './floor-layer.ts';
import { runScript } from './run-script.ts';
import { FIXTURES, invokeOk, layerSnapshot, type FunctionSpec } from './sandboxes.ts';
import type { Profile } from './types.ts';
import { LoopbackService, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const VARIANTS = ['with', 'floor', 'without'] as const;

/** The layer dir and exec wrapper each variant runs with (as sandboxes.ts starts them). */
function variantLayer(variant: (typeof VARIANTS)[number]): { layerDir?: string; wrapper: string } {
  if (variant === 'with') return { layerDir: layerSnapshot(), wrapper: '/opt/after-response' };
  if (variant === 'floor') return { layerDir: floorLayer(), wrapper: FLOOR_WRAPPER };
  return { wrapper: '' };
}

interface Run { readonly profile: Profile; readonly task: string; readonly memorySizeMb: number }

/** The scavenges traced before the probe's `testing` collection in one cold start: their pause each, in ms. */
async function coldStartScavenges(run: Run, spec: FunctionSpec, variant: (typeof VARIANTS)[number], event: unknown): Promise<number[]> {
  const { layerDir, wrapper } = variantLayer(variant);
  const box = await startSandbox({
    profile: run.profile, taskDir: run.task, handler: spec.handler, memorySizeMb: run.memorySizeMb, ...(layerDir ? { layerDir } : {}),
    env: { ...spec.env, RIG_NODE_FLAGS: '--trace-gc', NODE_OPTIONS: '--import=/var/task/scavenge-probe.mjs', ...(wrapper ? { AWS_LAMBDA_EXEC_WRAPPER: wrapper } : {}) },
  });
  try {
    await invokeOk(box, event);
    const lines = box.logs().split('\n');
    const end = lines.findIndex((l) => / ms: Mark-Compact .* testing/.test(l));
    if (end === -1) throw new Error(`no collection by scavenge-probe.mjs in the trace:\n${box.logs().slice(-2000)}`);
    return lines.slice(0, end).flatMap((l) => /ms: Scavenge .*?, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? []).map(Number);
  } finally {
    await box.stop();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const memories = argv.flatMap((a, i) => (a === '--memory' ? [Number(argv[i + 1])] : []));
  const task = join(mkdtempSync(join(runDir(), 'bench-scavenges-')), 'task');
  cpSync(FIXTURES, task, { recursive: true });
  copyFileSync(fileURLToPath(new URL('./scavenge-probe.mjs', import.meta.url)), join(task, 'scavenge-probe.mjs'));
  const service = new LoopbackService();
  const url = await service.listen();
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      for (const memorySizeMb of memories.length > 0 ? memories : [128, 512, 1024]) {
        for (const workload of WORKLOADS) await printWorkload({ profile, task, memorySizeMb }, workload, url);
      }
    }
  } finally {
    await service.close();
  }
}

async function printWorkload(run: Run, workload: Workload, url: string): Promise<void> {
  const functions = workloadFunctions(workload, url);
  const cells: string[] = [];
  for (const variant of VARIANTS) {
    const pauses = await coldStartScavenges(run, functions.cold[variant], variant, functions.event);
    cells.push(`${variant} ${String(pauses.length)} (${pauses.map((ms) => ms.toFixed(2)).join(' + ') || '0'} ms)`);
  }
  console.log(`${run.profile} ${String(run.memorySizeMb).padStart(4)} MB ${workload.padEnd(9)} scavenges before the first next: ${cells.join(' | ')}`);
}

runScript(main);
