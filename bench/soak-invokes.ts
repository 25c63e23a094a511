// Soak, part 1: N invokes with 10 jobs each under freeze emulation, the function with the layer
// and its baseline (the same jobs as un-awaited promises, no layer) alternating in one run; open
// fds, RSS and heap after a gc of each runtime process at every checkpoint.
import { loadavg } from 'node:os';
import { readFunction, type Reading } from './proc-reading.ts';
import { alternate, invokeOk, withFunctions } from './sandboxes.ts';
import type { Profile } from './types.ts';

export interface InvokesCheckpoint {
  invokes: number; // of each function
  layer: Reading;
  baseline: Reading;
  load1: number; // the machine's 1-minute load average at the reading
}

export interface InvokesResult {
  profile: Profile;
  memorySizeMb: number;
  checkpoints: InvokesCheckpoint[];
}

export interface InvokesOptions {
  checkpoints: readonly number[]; // ascending invoke counts
  memorySizeMb: number;
  log: (line: string) => void;
}

export async function soakInvokes(profile: Profile, o: InvokesOptions): Promise<InvokesResult> {
  const common = { freeze: true, memorySizeMb: o.memorySizeMb };
  const specs = [{ handler: 'memory-layer.handler', layer: true, ...common }, { handler: 'memory-bare.handler', layer: false, ...common }];
  return withFunctions(profile, specs, async ([layer, baseline]) => {
    if (!layer || !baseline) throw new Error('no sandbox');
    const checkpoints: InvokesCheckpoint[] = [];
    let done = 0;
    for (const at of o.checkpoints) {
      await alternate(at - done, () => invokeOk(layer, {}).then(() => undefined), () => invokeOk(baseline, {}).then(() => undefined));
      done = at;
      const point = { invokes: at, layer: await readFunction(layer), baseline: await readFunction(baseline), load1: loadavg()[0] ?? NaN };
      checkpoints.push(point);
      o.log(`  soak ${profile} after ${at} invokes each: layer ${show(point.layer)}; baseline ${show(point.baseline)}; load ${point.load1.toFixed(1)}`);
    }
    return { profile, memorySizeMb: o.memorySizeMb, checkpoints };
  });
}

const show = (r: Reading): string => `${r.fds} fds, RSS ${r.rssMb.toFixed(1)} MB, heap ${r.heapMb.toFixed(2)} MB`;
