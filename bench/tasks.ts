// What defining tasks costs at init, under the rig with ElasticMQ on loopback, per profile: RIE's
// INIT REPORT with the client imported and no task defined, vs three tasks defined (defineTask
// loads nothing; the SDK is required at the first task's start). The per-invoke and hand-off
// costs are figure 12 of `npm run bench` (fig-tasks.ts). Medians with min–max.
// `npx vite-node bench/tasks.ts -- [--inits N]`
import { startElasticMq } from '../test/rig/elasticmq.ts';
import { startFunction } from './sandboxes.ts';
import type { Profile } from './types.ts';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const at = argv.indexOf('--inits');
const INITS = at === -1 ? 5 : Number(argv[at + 1] ?? 5);
const PROFILES: Profile[] = ['nodejs22.x', 'nodejs24.x'];

function figure(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `${median.toFixed(2)} ms (${(sorted[0] ?? Number.NaN).toFixed(2)}–${(sorted.at(-1) ?? Number.NaN).toFixed(2)}, n=${sorted.length})`;
}

async function initMs(profile: Profile, handler: string, env: Record<string, string>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < INITS; i++) {
    const box = await startFunction(profile, { handler, layer: true, env });
    try {
      await box.invoke({});
      const match = /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(box.logs());
      if (match) out.push(Number(match[1]));
    } finally {
      await box.stop();
    }
  }
  return out;
}

async function main(): Promise<void> {
  const mq = await startElasticMq();
  try {
    for (const profile of PROFILES) {
      const queue = await mq.createQueue(`bench-tasks-${profile.replace('.', '-')}-${Date.now()}`);
      const env = { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: queue.url };
      console.log(`\n${profile}`);
      console.log(`  init, no task defined:     ${figure(await initMs(profile, 'tasks-bench-plain.handler', env))}`);
      console.log(`  init, three tasks defined: ${figure(await initMs(profile, 'tasks-bench.handler', env))}`);
    }
  } finally {
    await mq.stop();
  }
}

await main();
