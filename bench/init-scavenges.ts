// The garbage collections in figure 1's cold-start window under the rig (the real runtime clients
// and bootstrap, not init-floor's stand-in): for each workload, each of its three functions (with
// the layer, with the floor, without a layer) and each memory size, one cold start with
// scavenge-probe.mjs preloaded first, which prints V8's collections from there to the runtime's
// first `next`. A scavenge costs ~2–5 M instructions (init-floor.ts --workload with and without
// --no-scavenge); which variant's init crosses the young generation's next threshold decides
// whose step pays it. Counts, not times: the machine's load does not change them.
// `npx vite-node bench/init-scavenges.ts -- [--memory MB]...` (default 128 and 1024; needs the rig and a built dist/).
import { copyFileSync, cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDir } from '../test/rig/run-dir.ts';
import { FLOOR_SOURCES } from './floor-layer.ts';
import { FIXTURES, invokeOk, withFunctions, type FunctionSpec } from './sandboxes.ts';
import type { Profile } from './types.ts';
import { LoopbackService, WORKLOADS, workloadFunctions, type Workload } from './workloads.ts';

const PROBE = fileURLToPath(new URL('./scavenge-probe.mjs', import.meta.url));
const VARIANTS = ['with', 'floor', 'without'] as const;

/** What the exec wrapper at `path` puts into NODE_OPTIONS (its `preload=` line: `--import=…`). */
function wrapperPreload(path: string): string {
  const preload = /^preload="([^"]+)"$/m.exec(readFileSync(path, 'utf8'))?.[1];
  if (preload === undefined) throw new Error(`no preload="…" line in ${path}`);
  return preload;
}

const PRELOADS: Record<(typeof VARIANTS)[number], string> = {
  with: wrapperPreload(fileURLToPath(new URL('../layer/after-response', import.meta.url))),
  floor: wrapperPreload(join(FLOOR_SOURCES, 'wrapper.sh')),
  without: '',
};

/** The collections before the first `next` of one cold start: `[gcType, µs]` each. */
async function coldStartGcs(profile: Profile, spec: FunctionSpec, event: unknown): Promise<Array<[string, number]>> {
  return withFunctions(profile, [spec], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    await invokeOk(box, event);
    const line = /^scavenge-probe (.*)$/m.exec(box.logs())?.[1];
    if (line === undefined) throw new Error(`scavenge-probe printed nothing:\n${box.logs().slice(-2000)}`);
    return JSON.parse(line) as Array<[string, number]>;
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const memories = argv.flatMap((a, i) => (a === '--memory' ? [Number(argv[i + 1])] : []));
  const task = join(mkdtempSync(join(runDir(), 'bench-scavenges-')), 'task');
  cpSync(FIXTURES, task, { recursive: true });
  copyFileSync(PROBE, join(task, 'scavenge-probe.mjs'));
  const service = new LoopbackService();
  const url = await service.listen();
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      for (const memorySizeMb of memories.length > 0 ? memories : [128, 1024]) {
        for (const workload of WORKLOADS) await printWorkload(profile, workload, { url, task, memorySizeMb });
      }
    }
  } finally {
    await service.close();
  }
}

async function printWorkload(profile: Profile, workload: Workload, o: { url: string; task: string; memorySizeMb: number }): Promise<void> {
  const functions = workloadFunctions(workload, o.url);
  const cells: string[] = [];
  for (const variant of VARIANTS) {
    const spec = functions.cold[variant];
    // The probe first; the wrapper then finds its preload there and adds nothing.
    const imports = ['--import=/var/task/scavenge-probe.mjs', PRELOADS[variant]].filter(Boolean);
    const gcs = await coldStartGcs(profile, { ...spec, taskDir: o.task, memorySizeMb: o.memorySizeMb, env: { ...spec.env, NODE_OPTIONS: imports.join(' ') } }, functions.event);
    const scavenges = gcs.filter(([type]) => type === 'Scavenge');
    cells.push(`${variant} ${String(scavenges.length)} scavenge(s) (${scavenges.map(([, us]) => (us / 1000).toFixed(2)).join(' + ') || '0'} ms)${gcs.length > scavenges.length ? ` + ${String(gcs.length - scavenges.length)} other` : ''}`);
  }
  console.log(`${profile} ${String(o.memorySizeMb)} MB ${workload.padEnd(9)} ${cells.join(' | ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
