// What an enabled AsyncLocalStorage costs a function's own code: on nodejs22.x Node implements it
// with a promise hook that runs for every promise the process creates; nodejs24.x's
// AsyncContextFrame does not. Fresh node processes of both profiles' binaries, alternating with and
// without an AsyncLocalStorage entered as the extension enters one per invoke (als-context.ts),
// each timing 1,000,000 `await`s of a resolved promise and 500 invokes of the realistic workload
// (test/fixtures/bench/realistic-work.mjs: ~1,150 promises per invoke, loopback server in-process).
// The figure behind AFTER_RESPONSE_ATTRIBUTION=invoke, which enables none.
// `npx vite-node bench/promise-tax.ts -- [--rounds N]` (default 5)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { runScript, scriptCount } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'bench');
const PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];

interface Sample { readonly awaitNs: number; readonly invokeCpuUs: number }

function sample(node: string, mode: 'als' | 'none'): Sample {
  const out = execFileSync(node, [join(FIXTURES, 'promise-tax.mjs'), mode, join(FIXTURES, 'realistic-work.mjs')], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Sample;
}

async function main(): Promise<void> {
  const rounds = scriptCount('rounds', 5);
  for (const profile of PROFILES) {
    const node = join(profileTools(profile).nodeDir, 'bin', 'node');
    const runs: Record<'als' | 'none', Sample[]> = { als: [], none: [] };
    for (let i = 0; i < rounds; i++) for (const mode of i % 2 === 0 ? (['none', 'als'] as const) : (['als', 'none'] as const)) runs[mode].push(sample(node, mode));
    const median = (mode: 'als' | 'none', key: keyof Sample): number => summarize(runs[mode].map((s) => s[key])).median;
    const [aw, an, iw, inn] = [median('als', 'awaitNs'), median('none', 'awaitNs'), median('als', 'invokeCpuUs'), median('none', 'invokeCpuUs')];
    console.log(`${profile}: await ${aw.toFixed(1)} ns with an AsyncLocalStorage entered vs ${an.toFixed(1)} without (${aw >= an ? '+' : ''}${(aw - an).toFixed(1)}); realistic invoke ${iw.toFixed(0)} vs ${inn.toFixed(0)} µs of CPU (${iw >= inn ? '+' : ''}${(iw - inn).toFixed(0)} µs, ${((iw / inn - 1) * 100).toFixed(1)} %); medians of ${String(rounds)} processes each`);
  }
}

runScript(main);
