// Where a grown young generation's memory goes once V8 shrinks it: a bare node process of each
// profile's binary, with Lambda's heap flags for the memory size (test/rig/runtime-files.ts), grows
// its new space, idles, and reads RSS and V8's committed heap after a regular full gc, after more
// idle time and after a memory-reducing gc (test/fixtures/bench/v8-page-pool.mjs). No layer: this
// is V8's behaviour, which the layer's young generation (bench/results/memory-attribution.md,
// section 12) meets like any function's.
// `npx vite-node bench/v8-page-pool.ts -- [--memory MB] [--allocate MS] [--idle MS] [--more-idle MS]` (defaults 128, 1500, 6000, 12000)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { lambdaHeapFlags } from '../test/rig/runtime-files.ts';
import { profileTools } from '../test/rig/tools.ts';
import { runScript, scriptCount } from './run-script.ts';
import type { Profile } from './types.ts';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'bench', 'v8-page-pool.mjs');
const PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];

interface Reading { readonly label: string; readonly newSpaceMb: number; readonly newSpaceResidentMb: number; readonly committedMb: number; readonly rssMb: number; readonly anonymousMb: number; readonly gcMs?: number }

async function main(): Promise<void> {
  const memoryMb = scriptCount('memory', 128);
  const phases = [scriptCount('allocate', 1500), scriptCount('idle', 6000), scriptCount('more-idle', 12000)].map(String);
  for (const profile of PROFILES) {
    const node = join(profileTools(profile).nodeDir, 'bin', 'node');
    const out = execFileSync(node, ['--expose-gc', ...lambdaHeapFlags(memoryMb), FIXTURE, ...phases], { encoding: 'utf8' });
    const { readings } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { readings: Reading[] };
    console.log(`\n${profile}, ${memoryMb} MB heap flags:`);
    for (const r of readings) {
      const gc = r.gcMs === undefined ? '' : `, the gc took ${r.gcMs.toFixed(2)} ms`;
      console.log(`  ${r.label.padEnd(36)} new space ${r.newSpaceMb.toFixed(2)} MB (resident ${r.newSpaceResidentMb.toFixed(2)}), V8 committed ${r.committedMb.toFixed(2)} MB, RSS ${r.rssMb.toFixed(1)} MB, anonymous ${r.anonymousMb.toFixed(1)} MB${gc}`);
    }
  }
}

runScript(main);
