// The instruction-count ladder that splits figure 1's cold-start gap into what any internal
// extension layer pays and what is ours (the floor: bench/floor-layer.ts). Each step is a fresh
// process counted with callgrind (instruction-count.ts: repeatable to ~0.001 M), both profiles.
// Runtime process, with a stand-in runtime and Extensions API (stand-in-runtime.ts), the preload
// given in NODE_OPTIONS as the wrapper sets it: an empty process → + the `sh` exec wrapper (its
// own instructions up to its exec of node, counted separately; and its CPU time with the
// kernel's, which instructions miss) → + an empty ESM preload → + the floor's preload (the first
// TCP connect, then register, next and the gate) → our extension instead. The handler (the rig's ESM resolve hook
// loaded in every step, as the rig's bootstrap does): imports nothing → a one-line package from
// node_modules beside it → that package from the layer through the hook (the floor's handler) →
// our client from the layer through the hook (figure 1's handler with the layer).
// `npx vite-node bench/init-floor.ts -- [--rig-hook] [--sh-runs N] [--workload trivial|realistic]...
// [--no-scavenge] [--layouts N] [--young]` (needs valgrind and a built dist/; --rig-hook also loads the rig's
// hook before the preloads, as the rig does; --workload counts instead figure 1's handler of that
// workload with the preload in one process, init-floor-workload.ts, and prints the workloads given
// side by side; --no-scavenge starts those processes with a young generation no step fills;
// --layouts repeats them in N scratch directories, each with its own stand-in API, and takes medians;
// --young measures, instead of instructions, the young generation's bytes each step allocated).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { FLOOR_PACKAGE, FLOOR_SOURCES } from './floor-layer.ts';
import { layerModules, NO_SCAVENGE, RIG_HOOK as HOOK, workloadLadders } from './init-floor-workload.ts';
import { requireValgrind } from './instruction-count.ts';
import { ladder, signed, type Step } from './instruction-ladder.ts';
import { LAYER_DIR } from './sandboxes.ts';
import { countNode, standInApi, standInScript, type StandInApi } from './stand-in-runtime.ts';
import type { Profile } from './types.ts';
import { WORKLOADS, type Workload } from './workloads.ts';

const WRAPPER = join(FLOOR_SOURCES, 'wrapper.sh');
const SHELLS = ['/bin/sh', '/bin/bash'];

/** The floor's connect, nothing sent: the share of its preload that is Node's first TCP connect. */
const CONNECT_ONLY = `const api = process.env.AWS_LAMBDA_RUNTIME_API;
const colon = api.lastIndexOf(':');
const socket = process.getBuiltinModule('node:net').connect(Number(api.slice(colon + 1)), api.slice(0, colon));
socket.on('error', () => socket.destroy());
`;

/** The `sh` wrapper's instructions up to its exec (callgrind dumps before `execve`; the exec'd /bin/true is not traced). */
function shInstructions(shell: string, dir: string): number {
  const out = mkdtempSync(join(dir, 'sh-'));
  const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}/cg.%p`, '--dump-before=execve', shell, WRAPPER, '/bin/true'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${shell} ${WRAPPER}: exit ${String(run.status)}: ${run.stderr.slice(-400)}`);
  const dump = readdirSync(out).find((f) => f.endsWith('.1'));
  const totals = /^totals: (\d+)/m.exec(dump ? readFileSync(join(out, dump), 'utf8') : '');
  if (!totals?.[1]) throw new Error(`no callgrind dump before execve in ${out}`);
  return Number(totals[1]);
}

/** Children's CPU time (user + system, kernel included) of `runs` spawns, in ms per spawn, from /proc/self/stat. */
function childCpuMs(command: string, args: readonly string[], runs: number): number {
  const read = (): number => {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[13]) + Number(fields[14]); // cutime, cstime (clock ticks, 100 per second)
  };
  const before = read();
  for (let i = 0; i < runs; i++) spawnSync(command, args, { stdio: 'ignore' });
  return ((read() - before) * 10) / runs;
}

function runtimeSteps(profile: Profile, dir: string, apiAddress: string, rigHook: boolean): Step[] {
  const tools = profileTools(profile);
  const node = join(tools.nodeDir, 'bin', 'node');
  const script = join(dir, `${profile}-stand-in.mjs`);
  writeFileSync(script, standInScript(profile, 1500));
  const args = rigHook ? [`--import=${HOOK}`, script] : [script];
  const env = { AWS_LAMBDA_RUNTIME_API: apiAddress };
  const preloaded = (preload: string) => (): Promise<number> => countNode(node, args, { ...env, NODE_OPTIONS: `--import=${preload}` });
  return [
    { name: 'an empty process (the stand-in runtime)', count: () => countNode(node, args, env) },
    { name: '+ an empty ESM preload (NODE_OPTIONS --import)', count: preloaded(join(dir, 'empty.mjs')) },
    { name: '+ the process\'s first TCP connect (a preload that only connects)', count: preloaded(join(dir, 'connect.mjs')) },
    { name: '+ register, next, the gate: the floor\'s preload', count: preloaded(join(FLOOR_SOURCES, 'preload.mjs')) },
    { name: 'our extension instead of the floor\'s preload', count: preloaded(join(LAYER_DIR, 'lambda-after-response', 'extension.mjs')) },
  ];
}

/** Task dirs under `root`: the floor's package beside one handler, it and the client in root/opt/nodejs/node_modules. */
function handlerSteps(profile: Profile, root: string): Step[] {
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const nodePath = layerModules(profile, root);
  const handler = (name: string, text: string): string => {
    mkdirSync(join(root, name), { recursive: true });
    writeFileSync(join(root, name, 'handler.mjs'), text);
    return join(root, name, 'handler.mjs');
  };
  const importFloor = `import { one } from '${FLOOR_PACKAGE}';\nif (one !== 1) throw new Error('no one');\n`;
  const importClient = "import { enqueueAfterResponse } from 'lambda-after-response';\nif (typeof enqueueAfterResponse !== 'function') throw new Error('no client');\n";
  const none = handler('none', 'export {};\n');
  const beside = handler('beside', importFloor);
  cpSync(join(FLOOR_SOURCES, 'one-line'), join(root, 'beside', 'node_modules', FLOOR_PACKAGE), { recursive: true });
  const fromLayer = handler('floor', importFloor);
  const client = handler('client', importClient);
  const run = (file: string) => (): Promise<number> => countNode(node, [`--import=${HOOK}`, file], { NODE_PATH: nodePath });
  return [
    { name: 'imports nothing (rig hook loaded)', count: run(none) },
    { name: '+ a one-line package from node_modules', count: run(beside) },
    { name: 'the one-line package from the layer (rig hook): the floor\'s', count: run(fromLayer) },
    { name: 'our client from the layer (rig hook)', count: run(client) },
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const rigHook = argv.includes('--rig-hook');
  const shRuns = Number(argv[argv.indexOf('--sh-runs') + 1] ?? 300) || 300;
  const workloads = argv.flatMap((a, i) => (a === '--workload' ? [parseWorkload(argv[i + 1])] : []));
  const nodeFlags = argv.includes('--no-scavenge') ? NO_SCAVENGE : [];
  const layouts = Number(argv[argv.indexOf('--layouts') + 1] ?? 1) || 1;
  const young = argv.includes('--young');
  requireValgrind();
  const dir = mkdtempSync(join(tmpdir(), 'init-floor-'));
  writeFileSync(join(dir, 'empty.mjs'), 'export {};\n');
  writeFileSync(join(dir, 'connect.mjs'), CONNECT_ONLY);
  const sh = wrapperInstructions(dir, shRuns);
  if (workloads.length > 0) return workloadLadders(workloads, { dir, nodeFlags, young, layouts, sh: sh.get('/bin/sh') ?? 0 });
  const api = await standInApi();
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) await separateLadders(profile, { dir, api, rigHook, sh });
  } finally {
    api.close();
  }
}

function parseWorkload(value: string | undefined): Workload {
  const workload = WORKLOADS.find((w) => w === value);
  if (!workload) throw new Error(`Expected --workload to be one of ${WORKLOADS.join(', ')}, got \`${String(value)}\``);
  return workload;
}

/** Counts and prints the wrapper's `sh` (each shell in SHELLS) up to its exec, with its CPU time over `runs` execs. */
function wrapperInstructions(dir: string, runs: number): Map<string, number> {
  console.log('The exec wrapper (bench/floor/wrapper.sh, the layer\'s shape), before its exec of node:');
  const sh = new Map<string, number>();
  for (const shell of SHELLS) {
    const count = shInstructions(shell, dir);
    sh.set(shell, count);
    const cpu = childCpuMs(shell, [WRAPPER, '/bin/true'], runs) - childCpuMs('/bin/true', [], runs);
    console.log(`  ${shell} (${readlinkName(shell)}) ${(count / 1e6).toFixed(3)} M instructions; CPU with the kernel's +${cpu.toFixed(2)} ms per exec (n=${String(runs)}, children's user + system time)`);
  }
  return sh;
}

/** The preload in a stand-in runtime and the handler's import, each its own ladder (the module comment). */
async function separateLadders(profile: Profile, o: { dir: string; api: StandInApi; rigHook: boolean; sh: ReadonlyMap<string, number> }): Promise<void> {
  const rt = await ladder(`${profile} runtime process${o.rigHook ? ' (rig hook preloaded first)' : ''}:`, runtimeSteps(profile, o.dir, o.api.address, o.rigHook));
  const h = await ladder(`${profile} handler:`, handlerSteps(profile, mkdtempSync(join(o.dir, `${profile}-handler-`))));
  const [empty = 0, preload = 0, connect = 0, floor = 0, ours = 0] = rt;
  const [none = 0, , floorImport = 0, client = 0] = h;
  for (const shell of SHELLS) {
    const floorCost = (o.sh.get(shell) ?? 0) + (floor - empty) + (floorImport - none);
    console.log(`  ${profile} floor − no layer (with ${shell}): ${signed(floorCost)} M (sh ${signed(o.sh.get(shell) ?? 0)}, preload ${signed(preload - empty)}, connect ${signed(connect - preload)}, register+next ${signed(floor - connect)}, package from the layer ${signed(floorImport - none)})`);
  }
  console.log(`  ${profile} layer − floor (ours): ${signed(ours - floor + client - floorImport)} M (extension ${signed(ours - floor)}, client ${signed(client - floorImport)})`);
}

function readlinkName(path: string): string {
  const run = spawnSync('readlink', ['-f', path], { encoding: 'utf8' });
  return run.stdout.trim().split('/').at(-1) ?? path;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
