// Figure 1's cold-start window for one workload in one process per step: a stand-in runtime
// (stand-in-runtime.ts) with the rig's resolve hook, the preload in NODE_OPTIONS as the exec
// wrapper sets it, and the handler module imported as the runtime clients import it before their
// first `next` — figure 1's own handler files (workloads.ts: noop*, realistic-*), from a copy of
// test/fixtures/bench, the layer's packages under NODE_PATH. init-floor.ts's other ladders count
// the preload and the handler's import in separate processes; this one counts them together, so
// what the handler's module graph loads meets what the preload loaded (builtins, the young
// generation's fill, compiled code). The steps: no layer → + the floor's preload → + the floor's
// package (the floor) → our extension instead of its preload → our client instead of its package.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { profileTools, rigDir } from '../test/rig/tools.ts';
import { FLOOR_PACKAGE, FLOOR_SOURCES } from './floor-layer.ts';
import { ladder, signed, type Step } from './instruction-ladder.ts';
import { FIXTURES, LAYER_DIR, type FunctionSpec } from './sandboxes.ts';
import { DETERMINISTIC_V8_FLAGS } from './instruction-count.ts';
import { countNode, standInApi, standInScript, youngBytes } from './stand-in-runtime.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { workloadFunctions, type Workload } from './workloads.ts';

const PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];

/** The rig's ES module resolve hook (its bootstrap preloads it in every function). */
export const RIG_HOOK = join(rigDir, 'runtime', 'esm-layer-resolve.mjs');
const FLOOR_PRELOAD = join(FLOOR_SOURCES, 'preload.mjs');
const EXTENSION = join(LAYER_DIR, 'lambda-after-response', 'extension.mjs');
/** Read at the realistic module's load only; nothing is called at init. */
const SERVICE_URL = 'http://127.0.0.1:9';

/**
 * Lays out `root`/opt/nodejs/node_modules with the floor's one-line package and the layer's
 * client, and returns the NODE_PATH the bootstrap would set for them (the rig's hook reads it).
 */
export function layerModules(profile: Profile, root: string): string {
  const modules = join(root, 'opt', 'nodejs', 'node_modules');
  cpSync(join(FLOOR_SOURCES, 'one-line'), join(modules, FLOOR_PACKAGE), { recursive: true });
  cpSync(join(LAYER_DIR, 'nodejs', 'node_modules', 'lambda-after-response'), join(modules, 'lambda-after-response'), { recursive: true });
  return [join(root, 'opt', 'nodejs', `node${String(profileTools(profile).nodeMajor)}`, 'node_modules'), modules].join(':');
}

export interface WorkloadContext {
  readonly dir: string; // a private scratch directory
  readonly apiAddress: string; // the stand-in Extensions API (standInApi)
  /** Node flags for every step (NO_SCAVENGE: none of them collects before the first `next`). @default none */
  readonly nodeFlags?: readonly string[];
  /** Measure the young generation's bytes in use at the end (no valgrind; NO_SCAVENGE added) instead of instructions. @default false */
  readonly young?: boolean;
}

/**
 * A 16 MB young generation from the start instead of 1 MB: no step runs a scavenge before the
 * first `next` (--trace-gc), so a step's count is its code's alone, not also the collection its
 * allocations happen to trigger. The bootstrap's heap flags (`--max-semi-space-size` per memory
 * size) move no scavenge in these ladders: they cap the young generation's growth, not its start.
 */
export const NO_SCAVENGE = ['--min-semi-space-size=16'];

/** The five steps of the one-process ladder for `workload` (the module comment). */
export function workloadSteps(profile: Profile, workload: Workload, context: WorkloadContext): Step[] {
  const root = join(context.dir, `${profile}-${workload}`);
  const task = join(root, 'task');
  mkdirSync(root, { recursive: true });
  cpSync(FIXTURES, task, { recursive: true });
  const nodePath = layerModules(profile, root);
  const script = join(root, 'stand-in.mjs');
  writeFileSync(script, standInScript(profile, context.young ? 300 : 1500, { importHandler: true, reportYoungBytes: context.young === true }));
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const { cold } = workloadFunctions(workload, SERVICE_URL);
  const measure = context.young ? youngBytes : countNode;
  const flags = context.young ? [...NO_SCAVENGE, ...DETERMINISTIC_V8_FLAGS] : (context.nodeFlags ?? []);
  const run = (preload: string | undefined, spec: FunctionSpec) => (): Promise<number> => measure(node, [...flags, `--import=${RIG_HOOK}`, script, join(task, spec.handler.replace(/\.handler$/, '.mjs'))], {
    AWS_LAMBDA_RUNTIME_API: context.apiAddress, NODE_PATH: nodePath, ...spec.env, ...(preload === undefined ? {} : { NODE_OPTIONS: `--import=${preload}` }),
  });
  return [
    { name: `no layer (${cold.without.handler})`, count: run(undefined, cold.without) },
    { name: '+ the floor\'s preload', count: run(FLOOR_PRELOAD, cold.without) },
    { name: `+ the floor's package from the layer (${cold.floor.handler}): the floor`, count: run(FLOOR_PRELOAD, cold.floor) },
    { name: 'our extension instead of the floor\'s preload', count: run(EXTENSION, cold.floor) },
    { name: `our client instead of the one-line package (${cold.with.handler}): the layer`, count: run(EXTENSION, cold.with) },
  ];
}

/** Prints figure 1's rows per workload, side by side, from each workload's five counts; `sh`: the wrapper's instructions. */
export function printWorkloadRows(profile: Profile, counts: ReadonlyMap<Workload, readonly number[]>, sh: number, unit: string): void {
  const rows: Array<[string, (c: readonly number[]) => number]> = [
    ['the handler module\'s import, no layer (vs trivial\'s)', (c) => (c[0] ?? 0) - (counts.get('trivial')?.[0] ?? c[0] ?? 0)],
    [`floor − no layer${sh > 0 ? ' (with dash\'s sh)' : ''}`, (c) => sh + (c[2] ?? 0) - (c[0] ?? 0)],
    ['  the floor\'s preload', (c) => (c[1] ?? 0) - (c[0] ?? 0)],
    ['  its package from the layer', (c) => (c[2] ?? 0) - (c[1] ?? 0)],
    ['our extension over the floor\'s preload', (c) => (c[3] ?? 0) - (c[2] ?? 0)],
    ['our client over the one-line package', (c) => (c[4] ?? 0) - (c[3] ?? 0)],
    ['layer − floor: ours', (c) => (c[4] ?? 0) - (c[2] ?? 0)],
    ['layer − no layer', (c) => sh + (c[4] ?? 0) - (c[0] ?? 0)],
  ];
  console.log(`  ${profile}, one process per step (${unit}; medians when more than one layout): ${[...counts.keys()].join(' | ')}`);
  for (const [name, row] of rows) console.log(`    ${name.padEnd(56)} ${[...counts.values()].map((c) => signed(row(c)).padStart(8)).join(' | ')}`);
}

export interface LadderOptions {
  readonly dir: string; // a private scratch directory
  readonly nodeFlags: readonly string[];
  readonly young: boolean; // see WorkloadContext
  /** Scratch directories (each with its own stand-in API) to repeat the ladders in; medians per step are printed. */
  readonly layouts: number;
  readonly sh: number; // the wrapper's instructions (dash), added to the floor's rows
}

/**
 * Every workload's ladder per profile, in `layouts` scratch directories. Why medians: a count
 * repeats to ~0.001 M in one directory, but one process in a few gains ~1.7 M in another (the same
 * step, a same-length path: 2026-12-06, nodejs24.x), so a single layout can credit it to any step.
 */
export async function workloadLadders(workloads: readonly Workload[], o: LadderOptions): Promise<void> {
  const runs = new Map<string, number[][]>();
  for (let k = 0; k < o.layouts; k++) {
    const api = await standInApi();
    try {
      const context = { dir: mkdtempSync(join(o.dir, 'layout-')), apiAddress: api.address, nodeFlags: o.nodeFlags, young: o.young };
      for (const profile of PROFILES) {
        for (const workload of workloads) {
          const counts = await ladder(`${profile} ${workload} handler, preload and handler in one process (${context.dir}):`, workloadSteps(profile, workload, context));
          runs.set(`${profile} ${workload}`, [...(runs.get(`${profile} ${workload}`) ?? []), counts]);
        }
      }
    } finally {
      api.close();
    }
  }
  for (const profile of PROFILES) {
    const medians = new Map(workloads.map((w) => [w, medianSteps(runs.get(`${profile} ${w}`) ?? [])]));
    printWorkloadRows(profile, medians, o.young ? 0 : o.sh, o.young ? 'MB of young generation' : 'M instructions');
  }
}

function medianSteps(runs: readonly number[][]): number[] {
  return (runs[0] ?? []).map((_, i) => summarize(runs.map((r) => r[i] ?? Number.NaN)).median);
}
