// What the memory trim (extension/memory/malloc-trim.ts) costs the invoke it ends, under a
// Lambda-like CPU share: the realistic workload's function with the layer, its runtime process in a
// cgroup with the CFS quota of its memory size (bench/cpu-quota.ts; needs root) from its first
// invoke on, AFTER_RESPONSE_LOG_LEVEL=DEBUG. Prints each trim's wall time (the extension's DEBUG
// line: it includes any wait for the quota) and the RSS it gave back, and the response → release
// time of the invokes that trimmed against the others' (median / max).
// `npx vite-node bench/trim-cost.ts -- [--profile P] [--memory MB] [--invokes N]` (default nodejs24.x, 128 MB, 600)
import { limitCpu } from './cpu-quota.ts';
import { runScript, scriptOption } from './run-script.ts';
import { invokeOk, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';
import { LoopbackService, orderEvent, workloadFunctions } from './workloads.ts';

const TRIM = "malloc_trim(0) at an invoke's release";

async function main(): Promise<void> {
  const profile = scriptOption('profile', 'nodejs24.x') as Profile;
  const memorySizeMb = Number(scriptOption('memory', '128'));
  const invokes = Number(scriptOption('invokes', '600'));
  const service = new LoopbackService();
  const fns = workloadFunctions('realistic', await service.listen());
  const spec = { ...fns.memory.with, freeze: false, memorySizeMb, env: { ...fns.memory.with.env, AFTER_RESPONSE_LOG_LEVEL: 'DEBUG' } };
  try {
    await withFunctions(profile, [spec], async ([box]) => {
      if (!box) throw new Error('no sandbox');
      const first = await invokeOk(box, fns.event);
      const share = limitCpu(first.runtimePid ?? NaN, { memoryMb: memorySizeMb });
      const released = new Map<string, number>();
      try {
        for (let i = 1; i < invokes; i++) {
          const r = await invokeOk(box, orderEvent());
          released.set(r.requestId ?? '', (r.extensionReleasedAt ?? NaN) - (r.responsePostedAt ?? NaN));
        }
      } finally {
        share.release();
      }
      report(box.logs(), released, { profile, memorySizeMb });
    });
  } finally {
    await service.close();
  }
}

function report(logs: string, released: ReadonlyMap<string, number>, at: { profile: Profile; memorySizeMb: number }): void {
  const trims = logs.split('\n').filter((l) => l.includes(TRIM)).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { requestId: string; heldInvokes: number; ms: number; rssBeforeMb: number; rssAfterMb: number });
  for (const t of trims) console.log(`${at.profile} ${String(at.memorySizeMb)} MB: trim at invoke ${String(t.heldInvokes)}: ${t.ms.toFixed(2)} ms, RSS ${String(t.rssBeforeMb)} → ${String(t.rssAfterMb)} MB; response → release ${(released.get(t.requestId) ?? NaN).toFixed(2)} ms`);
  const trimmed = new Set(trims.map((t) => t.requestId));
  const others = [...released].filter(([id]) => !trimmed.has(id)).map(([, ms]) => ms);
  const s = summarize(others);
  const waited = others.filter((ms) => ms > 20).length;
  console.log(`${at.profile} ${String(at.memorySizeMb)} MB: response → release of the other invokes: median ${s.median.toFixed(2)} ms, max ${s.max.toFixed(2)} ms, over 20 ms (a wait for the quota) ${String(waited)} of ${String(others.length)}`);
}

runScript(main);
