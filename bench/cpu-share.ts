// Warm invokes under a Lambda-like CPU share: the rig gives a function the machine's cores, Lambda
// gives CPU in proportion to memory (one vCPU at 1,769 MB; 7 % of one at 128 MB). Each function's
// runtime process is put in a cgroup with a CFS quota for its memory size (bench/cpu-quota.ts;
// period 100 ms, the kernel's default — Lambda's period is not documented) after its warm-up; then
// the layer's function, the floor's (bench/floor-layer.ts) and the same function without a layer
// are invoked in rotation. Three groups: no jobs (figure 2's handlers), one small job per invoke
// (figure 6's, BENCH_JOBS=1; without a layer the job runs un-awaited), and the realistic workload
// (bench/workloads.ts: a 10 KB order parsed, validated, hashed, priced over loopback `fetch`, ten
// jobs of the same kind; ~1,150 promises per invoke, where the cost of an enabled
// `AsyncLocalStorage` on nodejs22.x shows: bench/promise-tax.ts). Prints each runtime process's
// CPU time per invoke (all its threads, /proc/PID/task/*/schedstat; Δ = layer − no layer, ours =
// layer − floor), the round trip (the client's view: invoke → response) and response posted →
// environment released (median / mean / max, layer against no layer), and how often the quota
// throttled each. An on-demand function's init is not throttled (a full vCPU for up to 10 s: AWS's
// serverlessland guide, "Utilize initialization phase"), so cold starts are not run here. Needs root.
// `npx vite-node bench/cpu-share.ts -- [--profiles P,P] [--memory MB,MB] [--invokes N] [--groups none,one,realistic]`
import type { InvokeResult } from '../test/rig/types.ts';
import { cpuMs, limitCpu, type CpuShare } from './cpu-quota.ts';
import { invokeOk, rotate, warmUp, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { runScript, scriptArgs } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { LoopbackService, orderEvent, workloadFunctions } from './workloads.ts';

interface Args { profiles: Profile[]; memory: number[]; invokes: number; groups: string[] }

function parse(argv: readonly string[]): Args {
  const args: Args = { profiles: ['nodejs22.x', 'nodejs24.x'], memory: [128, 512, 1024, 1769], invokes: 100, groups: GROUPS.map((g) => g.key) };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[++i] ?? '';
    if (argv[i - 1] === '--profiles') args.profiles = value.split(',') as Profile[];
    else if (argv[i - 1] === '--memory') args.memory = value.split(',').map(Number);
    else if (argv[i - 1] === '--invokes') args.invokes = Number(value);
    else if (argv[i - 1] === '--groups') args.groups = value.split(',');
    else throw new Error(`unknown argument ${String(argv[i - 1])}`);
  }
  return args;
}

interface Group {
  readonly key: string;
  readonly name: string;
  /** The layer's function, the floor's, and the same function without a layer; `serviceUrl`: the realistic workload's loopback service. */
  readonly specs: (serviceUrl: string) => [FunctionSpec, FunctionSpec, FunctionSpec];
  readonly event: unknown;
}

const GROUPS: readonly Group[] = [
  { key: 'none', name: 'no jobs', event: {}, specs: () => [{ handler: 'noop-client.handler', layer: true }, { handler: 'noop-floor.handler', layer: 'floor' }, { handler: 'noop.handler', layer: false }] },
  { key: 'one', name: 'one job', event: {}, specs: () => [
    { handler: 'memory-layer.handler', layer: true, env: { BENCH_JOBS: '1' } },
    { handler: 'memory-floor.handler', layer: 'floor', env: { BENCH_JOBS: '1' } },
    { handler: 'memory-bare.handler', layer: false, env: { BENCH_JOBS: '1' } },
  ] },
  { key: 'realistic', name: 'realistic, ten jobs', event: orderEvent(), specs: (url) => {
    const { with: layer, floor, without } = workloadFunctions('realistic', url).memory;
    return [layer, floor, without];
  } },
];

/** Response posted → the environment may freeze (the runtime's `next`, and the extension's if any). */
const release = (r: InvokeResult): number => Math.max(r.runtimeNextAt ?? NaN, r.extensionReleasedAt ?? -Infinity) - (r.responsePostedAt ?? NaN);

/** `median / mean / max` with the layer, against without it, and the differences: under a quota most invokes run at full speed and some wait out the period. */
function compare(a: readonly InvokeResult[], b: readonly InvokeResult[], f: (r: InvokeResult) => number): string {
  const stats = (rs: readonly InvokeResult[]): [number, number, number] => {
    const values = rs.map(f).filter(Number.isFinite);
    const s = summarize(values);
    return [s.median, values.reduce((x, y) => x + y, 0) / values.length, s.max];
  };
  const [x, y] = [stats(a), stats(b)];
  const fmt = (v: readonly number[]): string => v.map((n) => n.toFixed(2)).join(' / ');
  const sign = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
  return `${fmt(x)} vs ${fmt(y)} ms (median / mean / max; Δ ${sign(x[0] - y[0])} / ${sign(x[1] - y[1])})`;
}

async function measureGroup(profile: Profile, memoryMb: number, invokes: number, group: Group, serviceUrl: string): Promise<string> {
  const specs = group.specs(serviceUrl).map((s) => ({ ...s, memorySizeMb: memoryMb }));
  return withFunctions(profile, specs, async (boxes) => {
    const [withLayer, floor, without] = boxes;
    if (!withLayer || !floor || !without) throw new Error('no sandbox');
    for (const box of boxes) await warmUp(box, group.event);
    const pids = await Promise.all(boxes.map(async (box) => (await invokeOk(box, group.event)).runtimePid ?? NaN));
    const limited: CpuShare[] = [];
    try {
      for (const pid of pids) limited.push(limitCpu(pid, { memoryMb }));
      const results: InvokeResult[][] = [[], [], []];
      const cpu0 = pids.map(cpuMs);
      await rotate(invokes, boxes.map((box, k) => async () => void results[k]?.push(await invokeOk(box, group.event))));
      const [cl, cf, cn] = pids.map((pid, k) => (cpuMs(pid) - (cpu0[k] ?? NaN)) / invokes) as [number, number, number];
      const [a = [], , b = []] = results;
      const t = limited.map((share) => share.throttled());
      const perInvoke = `CPU per invoke ${cl.toFixed(3)} / floor ${cf.toFixed(3)} / without ${cn.toFixed(3)} ms (Δ ${(cl - cn).toFixed(3)}, ours ${(cl - cf).toFixed(3)})`;
      const periods = `throttled ${t.map((x) => `${String(x.throttledPeriods)}/${String(x.periods)} periods, ${x.throttledMs.toFixed(0)} ms`).join(' / ')}`;
      return `${profile} ${String(memoryMb).padStart(4)} MB (quota ${String(limited[0]?.quotaUs)} µs / 100 ms), ${group.name}, n=${String(invokes)}: ${perInvoke}; round trip ${compare(a, b, (r) => r.durationMs)}; response → released ${compare(a, b, release)}; ${periods}`;
    } finally {
      for (const share of limited) share.release();
    }
  });
}

async function main(): Promise<void> {
  const args = parse(scriptArgs);
  const unknown = args.groups.filter((key) => !GROUPS.some((g) => g.key === key));
  if (unknown.length > 0) throw new Error(`unknown --groups ${unknown.join(', ')}: expected some of ${GROUPS.map((g) => g.key).join(', ')}`);
  const service = new LoopbackService();
  const serviceUrl = await service.listen();
  try {
    for (const profile of args.profiles) {
      for (const memoryMb of args.memory) {
        for (const group of GROUPS.filter((g) => args.groups.includes(g.key))) console.log(await measureGroup(profile, memoryMb, args.invokes, group, serviceUrl));
      }
    }
  } finally {
    await service.close();
  }
}

runScript(main);
