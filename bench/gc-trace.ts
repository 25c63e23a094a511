// Why the young generation grows: V8's GC trace (--trace-gc-nvp on node's command line from the
// process's start, through the rig's RIG_NODE_FLAGS) over N invokes of figure 6's trivial
// functions: no layer, the floor, the layer. V8 doubles the new space when the bytes that survived
// scavenges since its last growth (copied within the new space, or promoted) exceed its capacity
// (`Heap::CheckNewSpaceExpansionCriteria`), and shrinks it at a full GC only while the allocation
// throughput is under 1,000 B/ms (`Heap::ReduceNewSpaceSize`). Prints per function: the scavenges
// of the init (before the first invoke's response), the bytes that survived them, and over the
// invokes: scavenges, bytes promoted per invoke, and from the last scavenge the new space's
// capacity (printed by nodejs24.x's V8 only) and the allocation throughput; and (--trace-opt) how
// many functions V8's optimising compilers compiled, Maglev and TurboFan; with `--compiles`, which
// ones, grouped by the invoke during which they were compiled (V8 compiles a function once it ran
// ~400 times, so a job path's functions come in one burst — the bursts are what Maglev's
// background compiles leave in malloc's arenas: bench/maglev-bursts.ts).
// `npx vite-node bench/gc-trace.ts -- [--profile P] [--invokes N] [--memory MB] [--layer DIR] [--compiles]`
import { startSandbox } from '../test/rig/sandbox.ts';
import { floorLayer, FLOOR_WRAPPER } from './floor-layer.ts';
import { runScript, scriptArgs, scriptOption } from './run-script.ts';
import { FIXTURES, LAYER_DIR } from './sandboxes.ts';
import type { Profile } from './types.ts';

const opt = scriptOption;
const field = (line: string, name: string): number => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? NaN);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

interface Variant { readonly name: string; readonly handler: string; readonly layerDir?: string; readonly wrapper?: string }

const scavenges = (logs: string): string[] => logs.split('\n').filter((l) => / gc=s /.test(l));
/** Bytes that outlived a scavenge: those copied within the new space and those promoted out of it. */
const survived = (line: string): number => field(line, 'new_space_survived') + field(line, 'promoted');

function describeInit(lines: string[]): string {
  const each = lines.map((l) => {
    const capacity = field(l, 'new_space_capacity');
    return `${kb(survived(l))}${Number.isFinite(capacity) ? ` (new space then ${kb(capacity)})` : ''}`;
  });
  const total = lines.reduce((sum, l) => sum + survived(l), 0);
  return `${String(lines.length)} scavenges in the init, survived ${each.join(' + ') || '—'} = ${kb(total)}`;
}

/** The functions compiled, by the invoke (RIE's `START RequestId` lines; 0: the init) they were compiled in; M Maglev, T TurboFan. */
function compilesByInvoke(logs: string): string {
  const byInvoke = new Map<number, string[]>();
  let invoke = 0;
  for (const line of logs.split('\n')) {
    if (line.startsWith('START RequestId')) invoke++;
    const compiled = /^\[completed compiling (?:0x[0-9a-f]+ )?<JSFunction ([^ >]*) .*\(target (MAGLEV|TURBOFAN)/.exec(line);
    if (compiled) byInvoke.set(invoke, [...(byInvoke.get(invoke) ?? []), `${compiled[2] === 'MAGLEV' ? 'M' : 'T'} ${compiled[1] ?? ''}`]);
  }
  return [...byInvoke].map(([n, names]) => `  invoke ${String(n)} (${String(names.length)}): ${names.join(', ')}`).join('\n');
}

async function trace(profile: Profile, v: Variant, invokes: number, memorySizeMb: number): Promise<string> {
  const box = await startSandbox({
    profile, taskDir: FIXTURES, handler: v.handler, freeze: false, memorySizeMb,
    env: { RIG_NODE_FLAGS: '--trace-gc-nvp --trace-opt', ...(v.wrapper ? { AWS_LAMBDA_EXEC_WRAPPER: v.wrapper } : {}) },
    ...(v.layerDir ? { layerDir: v.layerDir } : {}),
  });
  try {
    await box.invoke({});
    const init = scavenges(box.logs());
    for (let i = 0; i < invokes; i++) await box.invoke({});
    const all = scavenges(box.logs()).slice(init.length);
    const promoted = all.reduce((sum, l) => sum + field(l, 'promoted'), 0);
    const last = all.at(-1) ?? '';
    const capacity = field(last, 'new_space_capacity');
    const capacityText = Number.isFinite(capacity) ? `new space capacity ${kb(capacity)}, ` : '';
    const compiled = box.logs().split('\n').filter((l) => /^\[completed compiling .* \(target (MAGLEV|TURBOFAN)/.test(l));
    const optimised = `functions compiled by Maglev ${String(compiled.filter((l) => l.includes('MAGLEV')).length)}, by TurboFan ${String(compiled.filter((l) => l.includes('TURBOFAN')).length)}`;
    const list = !scriptArgs.includes('--compiles') ? '' : `\n${compilesByInvoke(box.logs())}`;
    return `${describeInit(init)}; then ${String(all.length)} scavenges, promoted ${(promoted / invokes).toFixed(0)} B per invoke; last scavenge: ${capacityText}allocation throughput ${field(last, 'new_space_allocation_throughput').toFixed(0)} B/ms; ${optimised}${list}`;
  } finally {
    await box.stop();
  }
}

async function main(): Promise<void> {
  const profile = opt('profile', 'nodejs24.x') as Profile;
  const invokes = Number(opt('invokes', '1000'));
  const memorySizeMb = Number(opt('memory', '512'));
  const variants: Variant[] = [
    { name: 'no layer', handler: 'memory-bare.handler' },
    { name: 'the floor', handler: 'memory-floor.handler', layerDir: floorLayer(), wrapper: FLOOR_WRAPPER },
    { name: 'the layer', handler: 'memory-layer.handler', layerDir: opt('layer', LAYER_DIR), wrapper: '/opt/after-response' },
  ];
  for (const v of variants) console.log(`${profile} ${String(memorySizeMb)} MB, ${v.name}: ${await trace(profile, v, invokes, memorySizeMb)}`);
}

runScript(main);
