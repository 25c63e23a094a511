// Memory of the runtime process under several builds of the layer and the baseline, side by side
// in one run (round-robin, one invoke each per round), read after a gc at checkpoints:
// VmRSS, heap used, V8's young generation (new space), external memory, V8's malloc'd memory, and the RSS growth since the first
// checkpoint by mapping (/proc/PID/smaps: the node binary's code pages, anonymous memory…).
// For bisecting a growth: build a variant of the layer (e.g. with one mechanism disabled) and
// compare it with the build and the baseline.
// `npx vite-node bench/memory-ab.ts -- [--profile P] [--memory MB] [--checkpoints 1000,5000]
//   [--layer NAME=DIR]... [--env NAME=VALUE]... [--workload trivial|realistic]` (default layer: dist/layer as
//   "layer"; --env goes to every function; --workload: workloads.ts's, the realistic one with its loopback service;
//   --trim (needs gdb and root): after each checkpoint's readings gdb calls glibc's malloc_trim(0) in every runtime
//   process, which is read again — how much of the RSS is memory malloc freed and kept; --floor: the floor layer's
//   function (floor-layer.ts) too, and each checkpoint then prints ours (layer − floor) in RSS and anonymous memory;
//   --rate N: a round every 1,000 / N ms (N invokes a second of each function, whatever the machine's speed), or
//   --pause MS: a pause after each round — V8 12.4 keeps a larger young generation only while a function allocates fast).
import { setTimeout } from 'node:timers/promises';
import { anonymousMb, mallocTrim, peakRssMb, rssByMapping, rssMb } from './proc-reading.ts';
import { paced } from './fig-memory-paced.ts';
import { startSandbox, type Sandbox } from '../test/rig/sandbox.ts';
import { FIXTURES, LAYER_DIR } from './sandboxes.ts';
import { FLOOR_WRAPPER, floorLayer } from './floor-layer.ts';
import type { Profile } from './types.ts';
import { LoopbackService, orderEvent, type Workload } from './workloads.ts';
import { envAssignment, runScript } from './run-script.ts';

interface Args { profile: Profile; memorySizeMb: number; checkpoints: number[]; layers: Array<[string, string]>; env: Record<string, string>; workload: Workload; trim: boolean; pauseMs: number; rate: number; floor: boolean }

function parse(argv: string[]): Args {
  const args: Args = { profile: 'nodejs22.x', memorySizeMb: 512, checkpoints: [1000, 5000], layers: [], env: {}, workload: 'trivial', trim: false, pauseMs: 0, rate: 0, floor: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => argv[++i] ?? '';
    if (a === '--') continue;
    else if (a === '--profile') args.profile = value() as Profile;
    else if (a === '--memory') args.memorySizeMb = Number(value());
    else if (a === '--checkpoints') args.checkpoints = value().split(',').map(Number);
    else if (a === '--env') { const [k, v] = envAssignment(value()); args.env[k] = v; }
    else if (a === '--workload') args.workload = workload(value());
    else if (a === '--trim') args.trim = true;
    else if (a === '--pause') args.pauseMs = nonNegative('--pause', value());
    else if (a === '--rate') args.rate = nonNegative('--rate', value());
    else if (a === '--floor') args.floor = true;
    else if (a === '--layer') { const [name = '', dir = ''] = value().split('='); args.layers.push([name, dir]); }
    else throw new Error(`unknown argument ${String(a)}`);
  }
  if (args.layers.length === 0) args.layers.push(['layer', LAYER_DIR]);
  return args;
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${flag}: expected a number ≥ 0, got \`${value}\``);
  return n;
}

function workload(value: string): Workload {
  if (value === 'trivial' || value === 'realistic') return value;
  throw new Error(`--workload: expected \`trivial\` or \`realistic\`, got \`${value}\``);
}

const MB = 1024 * 1024;

function growth(from: Map<string, number>, to: Map<string, number>): string {
  const names = new Set([...from.keys(), ...to.keys()]);
  const rows = [...names].map((n) => [n, (to.get(n) ?? 0) - (from.get(n) ?? 0)] as const).filter(([, kb]) => Math.abs(kb) >= 256);
  return rows.sort((a, b) => b[1] - a[1]).map(([n, kb]) => `${n} ${kb >= 0 ? '+' : ''}${(kb / 1024).toFixed(1)} MB`).join(', ') || 'none ≥ 0.25 MB';
}

const firstMappings = new Map<Sandbox, Map<string, number>>();

/** gdb calls malloc_trim(0) in `pid`; then its RSS, and by mapping against `baseline` (the baseline's, trimmed). */
function trimmed(pid: number, baseline?: Map<string, number>): [string, Map<string, number>] {
  mallocTrim(pid);
  const mappings = rssByMapping(pid);
  return [`after malloc_trim(0): RSS ${rssMb(pid).toFixed(1)} MB${baseline ? `; vs the baseline by mapping: ${growth(baseline, mappings)}` : ''}`, mappings];
}

/** `baseline`: the baseline's mappings at this checkpoint, for the difference by mapping. */
async function reading(box: Sandbox, baseline?: Map<string, number>): Promise<[string, Map<string, number>, number]> {
  const r = await box.invoke({ measure: true });
  const mappings = rssByMapping(r.runtimePid ?? NaN);
  const first = firstMappings.get(box);
  if (!first) firstMappings.set(box, mappings);
  const u = r.json() as { heapUsed: number; heapTotal: number; newSpace: number; external: number; malloced: number; youngBeforeGc: number; rssBeforeGc: number; spaces: Record<string, number> };
  const since = first ? `; RSS growth since the first checkpoint by mapping: ${growth(first, mappings)}` : '';
  const vs = baseline ? `; vs the baseline by mapping: ${growth(baseline, mappings)}` : '';
  return [`RSS ${rssMb(r.runtimePid ?? NaN).toFixed(1)} MB, heap ${(u.heapUsed / MB).toFixed(2)} used / ${(u.heapTotal / MB).toFixed(2)} MB total, young ${(u.newSpace / MB).toFixed(2)} MB (resident ${((u.spaces.new_space ?? NaN) / MB).toFixed(2)} MB; before the reading's gc: young ${(u.youngBeforeGc / MB).toFixed(2)} MB, RSS ${(u.rssBeforeGc / MB).toFixed(1)} MB; peak RSS ${peakRssMb(r.runtimePid ?? NaN).toFixed(1)} MB), external ${(u.external / MB).toFixed(2)} MB, V8 malloc'd ${(u.malloced / MB).toFixed(2)} MB${since}${vs}`, mappings, r.runtimePid ?? NaN];
}

function printTrimmed(head: string, pids: Array<[string, number]>): void {
  let base: Map<string, number> | undefined;
  for (const [name, pid] of pids) {
    const [line, mappings] = trimmed(pid, base);
    base ??= mappings;
    console.log(`${head}: ${name.padEnd(12)} ${line}`);
  }
}

/** `rounds` rounds of one invoke of each function, rotated: back to back, `--rate` a second, or `--pause` after each; the rounds a second achieved. */
function invokeRounds(args: Args, boxes: readonly Sandbox[], event: unknown, rounds: number): Promise<number> {
  const steps = boxes.map((box) => async (): Promise<void> => {
    const r = await box.invoke(event);
    if (r.status !== 200) throw new Error(`invoke failed: ${r.body}`);
  });
  if (args.pauseMs > 0) steps.push(async () => void (await setTimeout(args.pauseMs)));
  return paced(rounds, args.rate > 0 ? 1000 / args.rate : 0, steps);
}

/** Each function's reading; with the floor, ours (each layer − the floor) in RSS and anonymous memory, as figure 6 counts them. */
async function printCheckpoint(args: Args, boxes: ReadonlyArray<[string, Sandbox]>, checkpoint: number): Promise<void> {
  const head = `${args.profile} ${args.memorySizeMb} MB after ${checkpoint} invokes`;
  let base: Map<string, number> | undefined;
  const pids: Array<[string, number]> = [];
  for (const [name, box] of boxes) {
    const [line, mappings, pid] = await reading(box, base);
    base ??= mappings; // the baseline is read first
    pids.push([name, pid]);
    console.log(`${head}: ${name.padEnd(12)} ${line}`);
  }
  const mem = new Map(pids.map(([name, pid]) => [name, { rss: rssMb(pid), anon: anonymousMb(pid) }] as const));
  const [none, floor] = [mem.get('baseline'), mem.get('floor')];
  for (const [name, m] of mem) {
    if (name === 'baseline' || name === 'floor' || !none) continue;
    const ours = floor ? `; ours (− the floor): RSS ${signed(m.rss - floor.rss)} MB, anonymous ${signed(m.anon - floor.anon)} MB` : '';
    console.log(`${head}: ${name}: over no layer RSS ${signed(m.rss - none.rss)} MB, anonymous ${signed(m.anon - none.anon)} MB${ours}`);
  }
  if (args.trim) printTrimmed(head, pids);
}

const signed = (mb: number): string => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)}`;

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const realistic = args.workload === 'realistic';
  const service = new LoopbackService();
  const env = realistic ? { ...args.env, BENCH_SERVICE_URL: await service.listen() } : args.env;
  const event = realistic ? orderEvent() : {};
  const handlerOf = (name: string): string => `${realistic ? 'realistic' : 'memory'}-${name}.handler`;
  const base = { profile: args.profile, taskDir: FIXTURES, freeze: false, memorySizeMb: args.memorySizeMb };
  const start = (layerDir: string | undefined, handler: string): Promise<Sandbox> => startSandbox({
    ...base, handler: handlerOf(handler), ...(layerDir ? { layerDir, env: { ...env, AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } } : { env }),
  });
  const boxes: Array<[string, Sandbox]> = [['baseline', await start(undefined, 'bare')]];
  if (args.floor) boxes.push(['floor', await startSandbox({ ...base, handler: handlerOf('floor'), layerDir: floorLayer(), env: { ...env, AWS_LAMBDA_EXEC_WRAPPER: FLOOR_WRAPPER } })]);
  for (const [name, dir] of args.layers) boxes.push([name, await start(dir, 'layer')]);
  try {
    let done = 0;
    for (const checkpoint of args.checkpoints) {
      const rate = await invokeRounds(args, boxes.map(([, box]) => box), event, checkpoint - done);
      done = checkpoint;
      console.log(`${args.profile} ${args.memorySizeMb} MB: ${checkpoint} invokes per function; since the last checkpoint ${rate.toFixed(1)} invokes a second each`);
      await printCheckpoint(args, boxes, checkpoint);
    }
  } finally {
    await Promise.allSettled([...boxes.map(([, b]) => b.stop()), service.close()]);
  }
}

runScript(main);
