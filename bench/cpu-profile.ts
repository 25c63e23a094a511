// Where a warm invoke's main-thread time goes in the layer's function: V8's CPU profiler
// (node:inspector, started and stopped by the handler: test/fixtures/bench/cpu-profile.mjs) over N
// warm invokes of figure 6's trivial handler with BENCH_JOBS jobs, self time per invoke by owner
// (the extension, the client, the runtime client, Node, V8's idle and GC entries), the native frames
// by the JS function that called them (a runtime client's native response post is charged to the
// layer's wrapper around it: the runtime's cost in our frame), and the extension's and the client's
// functions. A sampling profile: wall time on the main thread, not the CPU of other threads
// (bench/cpu-share.ts counts that).
// `npx vite-node bench/cpu-profile.ts -- [--profile P] [--invokes N] [--jobs N]`
import { owner, selfTime, type CpuProfile } from './profile-reading.ts';
import { runScript, scriptArgs } from './run-script.ts';
import { invokeOk, startFunction, warmUp } from './sandboxes.ts';
import type { Profile } from './types.ts';

function parse(argv: readonly string[]): { profile: Profile; invokes: number; jobs: number } {
  const args = { profile: 'nodejs24.x' as Profile, invokes: 3000, jobs: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    if (argv[i] === '--profile') args.profile = value as Profile;
    else if (argv[i] === '--invokes') args.invokes = Number(value);
    else if (argv[i] === '--jobs') args.jobs = Number(value);
    else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  return args;
}

function print(title: string, times: Map<string, number>, invokes: number, top: number): void {
  console.log(title);
  for (const [k, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(us / invokes).toFixed(2).padStart(8)} µs per invoke  ${k}`);
}

async function main(): Promise<void> {
  const args = parse(scriptArgs);
  const box = await startFunction(args.profile, { handler: 'cpu-profile.handler', layer: true, memorySizeMb: 1769, env: { BENCH_JOBS: String(args.jobs) } });
  try {
    await warmUp(box, {}, 1000); // past V8's optimising compiles of the per-invoke path (~510 invokes)
    await invokeOk(box, { profile: 'start' });
    for (let i = 0; i < args.invokes; i++) await invokeOk(box, {});
    const profile = JSON.parse((await invokeOk(box, { profile: 'stop' })).body) as CpuProfile;
    console.log(`${args.profile}, ${String(args.jobs)} job(s) per invoke, ${String(args.invokes)} warm invokes (sampled every 100 µs):`);
    print('by owner', selfTime(profile, (n) => owner(n.callFrame)), args.invokes, 14);
    const natives = selfTime(profile, (n, caller) => (n.callFrame.url === '' && n.callFrame.functionName === '' && caller ? `${owner(caller.callFrame)} ${caller.callFrame.functionName || '(anonymous)'} @${String(caller.callFrame.lineNumber)}:${String(caller.callFrame.columnNumber)}` : ''));
    natives.delete('');
    print('native frames by their JS caller', natives, args.invokes, 6);
    const ours = selfTime(profile, (n) => (['extension', 'client'].includes(owner(n.callFrame)) ? `${owner(n.callFrame)} ${n.callFrame.functionName || '(anonymous)'}` : ''));
    ours.delete('');
    print("the layer's functions", ours, args.invokes, 20);
  } finally {
    await box.stop();
  }
}

runScript(main);
