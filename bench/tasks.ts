// What tasks cost, under the rig with ElasticMQ on loopback, per profile:
//   per invoke   response → release (the summary line's responseToReleaseMs) with one no-op job,
//                one no-op task, one no-op write-ahead task (its send is on this path, after the response)
//   hand-off     the grace's end → the message stored (the "task sent" line, logged once SQS answered),
//                for a task still running at the deadline (3 s timeout)
//   init         RIE's INIT REPORT with the client imported and no task defined, vs three tasks defined
// Medians with min–max. `npx vite-node bench/tasks.ts -- [--invokes N] [--overruns N] [--inits N]`
import { startElasticMq } from '../test/rig/elasticmq.ts';
import type { Sandbox } from '../test/rig/types.ts';
import { startFunction } from './sandboxes.ts';
import type { Profile } from './types.ts';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, fallback: number): number => { const i = argv.indexOf(`--${name}`); return i === -1 ? fallback : Number(argv[i + 1] ?? fallback); };
const INVOKES = opt('invokes', 200);
const OVERRUNS = opt('overruns', 5);
const INITS = opt('inits', 5);
const PROFILES: Profile[] = ['nodejs22.x', 'nodejs24.x'];

/** The layer's JSON log lines in some output. */
function extensionLogs(output: string): Array<Record<string, unknown>> {
  return output.split('\n').filter((line) => line.includes('"source":"lambda-after-response"')).map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}

function figure(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `${median.toFixed(2)} ms (${(sorted[0] ?? Number.NaN).toFixed(2)}–${(sorted.at(-1) ?? Number.NaN).toFixed(2)}, n=${sorted.length})`;
}

async function perInvoke(box: Sandbox, kind: string): Promise<number[]> {
  for (let i = 0; i < 20; i++) await box.invoke({ kind }); // warm: the SDK loaded, the connection open
  const mark = box.logMark();
  for (let i = 0; i < INVOKES; i++) await box.invoke({ kind });
  return extensionLogs(box.logsSince(mark)).filter((l) => l.message === 'after-response summary').map((l) => Number(l.responseToReleaseMs));
}

async function handOffs(box: Sandbox): Promise<number[]> {
  await box.invoke({ kind: 'task' });
  const out: number[] = [];
  for (let i = 0; i < OVERRUNS; i++) {
    const mark = box.logMark();
    await box.invoke({ kind: 'overrun' });
    const lines = extensionLogs(box.logsSince(mark));
    const abandoned = lines.find((l) => String(l.message).startsWith('abandoning unfinished jobs'));
    const sent = lines.find((l) => String(l.message).startsWith('task sent to the queue: it was still running'));
    if (abandoned && sent) out.push(Date.parse(String(sent.timestamp)) - Date.parse(String(abandoned.timestamp)));
  }
  return out;
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
      const box = await startFunction(profile, { handler: 'tasks-bench.handler', layer: true, env, freeze: false });
      try {
        console.log(`\n${profile}: response → release, one per invoke (${INVOKES} warm invokes)`);
        for (const kind of ['job', 'task', 'write-ahead']) console.log(`  ${kind.padEnd(12)} ${figure(await perInvoke(box, kind))}`);
      } finally {
        await box.stop();
      }
      const slow = await startFunction(profile, { handler: 'tasks-bench.handler', layer: true, env, timeoutSeconds: 3 });
      try {
        console.log(`  hand-off: the grace's end → the message stored: ${figure(await handOffs(slow))}`);
      } finally {
        await slow.stop();
      }
      console.log(`  init, no task defined:     ${figure(await initMs(profile, 'tasks-bench-plain.handler', env))}`);
      console.log(`  init, three tasks defined: ${figure(await initMs(profile, 'tasks-bench.handler', env))}`);
    }
  } finally {
    await mq.stop();
  }
}

await main();
