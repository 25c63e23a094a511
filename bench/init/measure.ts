// One cold start of a variant: its Runtime API timeline as the rig's proxy saw it, and, with
// `cpuProfile`, the runtime process's CPU profile up to its first `next`, on the same clock.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../test/rig/types.ts';
import { invokeOk } from '../sandboxes.ts';
import type { Profile } from '../types.ts';
import { readSamples, wrapperPositions, type Sample } from './cpu-profile.ts';
import { layerPaths, startVariant, type Variant } from './variants.ts';

/** Times in ms from the cold invoke's start (the rig's clock). */
export interface ColdStart {
  readonly variant: Variant['name'];
  readonly initMs: number; // → the runtime's first `next` at the Runtime API
  readonly registerSentMs?: number; // the register request reached the proxy
  readonly registerAnsweredMs?: number; // the proxy answered it
  readonly profileStartMs?: number; // node's profiler started (early in node's own bootstrap)
  readonly samples?: readonly Sample[]; // at: ms from the invoke start
}

/** µs of CLOCK_MONOTONIC (V8's profile clock) for a performance.now() reading of this process. */
const monoOffsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
const toMonoUs = (ms: number): number => ms * 1000 + monoOffsetUs;

const PROF_DIR = 'cpuprof';
const PROFILE_FLAGS = `--cpu-prof --cpu-prof-dir=/tmp/${PROF_DIR} --cpu-prof-interval=100`;

export async function coldStart(profile: Profile, variant: Variant, options: { memorySizeMb: number; cpuProfile: boolean }): Promise<ColdStart> {
  const box = await startVariant(profile, variant, { memorySizeMb: options.memorySizeMb, ...(options.cpuProfile ? { nodeOptions: PROFILE_FLAGS } : {}) });
  try {
    const result = await invokeOk(box, {});
    const t0 = result.startedAt;
    const next = result.calls.find((c) => c.kind === 'runtime-next');
    if (!next) throw new Error(`${variant.name}: no runtime next on a cold start`);
    const register = result.calls.find((c) => c.kind === 'extension-register');
    const base: ColdStart = {
      variant: variant.name, initMs: next.startedAt - t0,
      ...(register ? { registerSentMs: register.startedAt - t0, registerAnsweredMs: register.endedAt - t0 } : {}),
    };
    if (!options.cpuProfile) return base;
    const file = await profileFile(box);
    if (process.env.INIT_ATTRIBUTION_KEEP) copyFileSync(file, join(process.env.INIT_ATTRIBUTION_KEEP, `${profile}-${variant.name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`));
    const samples = readSamples(file, wrapperPositions(readFileSync(join(layerPaths().full, 'lambda-after-response', 'extension.mjs'), 'utf8'))).map((s) => ({ ...s, at: (s.at - toMonoUs(t0)) / 1000 }));
    const first = samples[0]?.at ?? NaN;
    return { ...base, profileStartMs: first, samples: samples.filter((s) => s.at < base.initMs) };
  } finally {
    await box.stop();
  }
}

/** Ends the runtime process cleanly (the probe exits after answering) and waits for its profile. */
async function profileFile(box: Sandbox): Promise<string> {
  await box.invoke({ exit: true }).catch(() => undefined);
  const dir = join(box.tmpDir, PROF_DIR);
  for (let i = 0; i < 200; i++) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
    if (files.length > 0) {
      await new Promise((r) => setTimeout(r, 50)); // written in one go at exit; let it land
      return join(dir, files.sort()[0] ?? '');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no CPU profile in ${dir}`);
}
