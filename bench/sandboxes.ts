// Starting bench functions on the rig, invoking them strictly, and alternating A and B.
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from '../test/rig/run-dir.ts';
import { startSandbox, type FaultRule, type InvokeResult, type Sandbox } from '../test/rig/sandbox.ts';
import { taskDirWithPackages } from '../test/rig/task-dir.ts';
import { FLOOR_WRAPPER, floorLayer } from './floor-layer.ts';
import type { Profile } from './types.ts';

export const LAYER_DIR = fileURLToPath(new URL('../dist/layer', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../test/fixtures/bench', import.meta.url));

export interface FunctionSpec {
  handler: string; // e.g. 'noop.handler' in test/fixtures/bench
  layer: boolean | 'floor'; // true: the built layer at /opt and its exec wrapper set; 'floor': the floor layer (floor-layer.ts)
  packages?: readonly string[]; // real npm packages the fixture imports (see taskDirWithPackages)
  env?: Record<string, string>;
  freeze?: boolean;
  timeoutSeconds?: number;
  taskDir?: string; // default: test/fixtures/bench
  memorySizeMb?: number; // default: the rig's (512)
  faults?: FaultRule[]; // applied by the rig's recording proxy
}

let snapshot: string | undefined;
let floor: string | undefined;

/** A private copy of dist/layer: a concurrent ./build.sh swaps dist/ and would pull it from under us. */
export function layerSnapshot(): string {
  if (snapshot !== undefined) return snapshot;
  if (!existsSync(`${LAYER_DIR}/after-response`)) throw new Error(`${LAYER_DIR} is missing: run ./build.sh`);
  const dir = join(mkdtempSync(join(runDir(), 'bench-layer-')), 'layer');
  cpSync(LAYER_DIR, dir, { recursive: true });
  snapshot = dir;
  return dir;
}

function layerOptions(spec: FunctionSpec): { layerDir?: string; env: Record<string, string> } {
  if (spec.layer === 'floor') return { layerDir: (floor ??= floorLayer()), env: { ...spec.env, AWS_LAMBDA_EXEC_WRAPPER: FLOOR_WRAPPER } };
  return spec.layer ? { layerDir: layerSnapshot(), env: { ...spec.env, AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } } : { env: spec.env ?? {} };
}

export async function startFunction(profile: Profile, spec: FunctionSpec): Promise<Sandbox> {
  const layer = layerOptions(spec);
  const taskDir = spec.taskDir ?? (spec.packages ? taskDirWithPackages(FIXTURES, spec.packages) : FIXTURES);
  return startSandbox({
    profile, taskDir, handler: spec.handler, freeze: spec.freeze ?? true,
    timeoutSeconds: spec.timeoutSeconds ?? 30, ...layer, ...(spec.memorySizeMb ? { memorySizeMb: spec.memorySizeMb } : {}),
    ...(spec.faults ? { faults: spec.faults } : {}),
  });
}

/** Starts every function, runs `body`, and stops them all whatever happens. */
export async function withFunctions<T>(profile: Profile, specs: FunctionSpec[], body: (boxes: Sandbox[]) => Promise<T>): Promise<T> {
  const started = await Promise.allSettled(specs.map((s) => startFunction(profile, s)));
  const boxes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await body(boxes);
  } finally {
    await Promise.allSettled(boxes.map((b) => b.stop()));
  }
}

/** Invokes and fails loudly (with the sandbox output) unless the function answered normally. */
export async function invokeOk(box: Sandbox, payload: unknown): Promise<InvokeResult> {
  const result = await box.invoke(payload);
  if (result.status !== 200 || result.errorPostedAt !== undefined || result.body.includes('Task timed out')) {
    throw new Error(`invoke failed (${result.status}): ${result.body}\n--- sandbox output ---\n${box.logs().slice(-4000)}`);
  }
  return result;
}

/** Runs A and B `rounds` times each, in ABBA order so neither always goes first. */
export async function alternate(rounds: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
}

/** Runs each step `rounds` times, rotating the order every round (ABC, BCA, CAB…) so none always goes first. */
export async function rotate(rounds: number, steps: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]?.();
  }
}

export async function warmUp(box: Sandbox, payload: unknown, times = 20): Promise<void> {
  for (let i = 0; i < times; i++) await invokeOk(box, payload);
}

/** A `performance.now()` reading of this process as epoch milliseconds (fixtures report epoch). */
export const toEpoch = (t: number): number => performance.timeOrigin + t;
