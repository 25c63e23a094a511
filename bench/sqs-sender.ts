// What a task sender costs, for the design of tasks that continue through SQS: fresh Node 22 and
// Node 24 processes (the rig's binaries), ElasticMQ on loopback, each process loading one sender:
//   sdk                  @aws-sdk/client-sqs from the runtime replica's node_modules (what Lambda ships)
//   aws4fetch+fetch      aws4fetch's SigV4 (WebCrypto) + global fetch, AWS JSON 1.0 protocol
//   aws4fetch+node:http  aws4fetch's signature, sent with node:http (keep-alive agent)
//   aws4+node:http       aws4's SigV4 (node:crypto, synchronous), sent with node:http (keep-alive agent)
//   none                 nothing loaded: the process's own RSS, the baseline
// Each process first loads the builtins the runtime client loads anyway (bench/runtime-builtins.ts).
// Prints per variant: the import (wall ms with its CPU ms, RSS added), the first SendMessage
// after it (client created, connection opened: cold; wall and CPU ms), import + first send (a
// send at the deadline when nothing was loaded before), warm SendMessage p50/p99 (and mean CPU
// ms per send), SendMessageBatch of 10 p50/p99. Processes of all variants alternate, so a busy
// machine slows each alike. Full-core figures: Lambda gives a function CPU in proportion to its
// memory (one vCPU at 1,769 MB), so scale the CPU figures for smaller functions.
// `npx vite-node bench/sqs-sender.ts -- [--runs N]` (default 7 processes per variant and Node).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startElasticMq, type ElasticMq } from '../test/rig/elasticmq.ts';
import { profileTools } from '../test/rig/tools.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

const VARIANTS = ['none', 'sdk', 'aws4fetch+fetch', 'aws4fetch+node:http', 'aws4+node:http'] as const;
const PROBE = fileURLToPath(new URL('./sqs-sender-probe.mjs', import.meta.url));

interface ProbeResult {
  rssStartMb: number;
  importMs?: number;
  importRssMb?: number;
  firstSendMs?: number;
  warmSendMs?: number[];
  batchMs?: number[];
  rssEndMb?: number;
  cpuMs: { import?: number; firstSend?: number; warmSend?: number }; // warmSend: mean CPU per warm send
}

/** The SDK's entry file as the runtime would load it: resolved from /var/runtime/node_modules' host dir. */
function sdkUrl(profile: Profile): string {
  const modules = join(profileTools(profile).runtimeModulesDir, 'node_modules');
  return pathToFileURL(createRequire(join(modules, 'resolve-from-here.js')).resolve('@aws-sdk/client-sqs')).href;
}

function probe(node: string, env: Record<string, string>): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [PROBE], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject).once('close', (code) => {
      if (code !== 0) reject(new Error(`probe ${env.PROBE_VARIANT ?? ''} exited with ${String(code)}: ${text}`));
      else resolve(JSON.parse(text) as ProbeResult);
    });
  });
}

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const median = (values: Array<number | undefined>): number => summarize(values.filter((v): v is number => v !== undefined)).median;

function report(profile: Profile, results: Map<string, ProbeResult[]>): void {
  const base = median((results.get('none') ?? []).map((r) => r.rssStartMb));
  console.log(`\n${profile}: a fresh process holds ${fmt(base)} MB RSS before anything is loaded (n=${results.get('none')?.length ?? 0})`);
  console.log('variant              import ms (CPU)  +RSS MB  first send ms (CPU)  import+first ms  warm p50/p99 ms (CPU)  batch(10) p50/p99 ms  RSS at end MB');
  for (const variant of VARIANTS.filter((v) => v !== 'none')) {
    const rs = results.get(variant) ?? [];
    const warm = summarize(rs.flatMap((r) => r.warmSendMs ?? []));
    const batch = summarize(rs.flatMap((r) => r.batchMs ?? []));
    const cold = rs.map((r) => (r.importMs ?? NaN) + (r.firstSendMs ?? NaN));
    console.log([
      variant.padEnd(20),
      `${fmt(median(rs.map((r) => r.importMs)))} (${fmt(median(rs.map((r) => r.cpuMs.import)))})`.padStart(15),
      fmt(median(rs.map((r) => r.importRssMb))).padStart(8),
      `${fmt(median(rs.map((r) => r.firstSendMs)))} (${fmt(median(rs.map((r) => r.cpuMs.firstSend)))})`.padStart(19),
      `${fmt(median(cold))} (max ${fmt(summarize(cold).max)})`.padStart(16),
      `${fmt(warm.median, 2)}/${fmt(warm.p99, 2)} (${fmt(median(rs.map((r) => r.cpuMs.warmSend)), 2)})`.padStart(22),
      `${fmt(batch.median, 2)}/${fmt(batch.p99, 2)}`.padStart(21),
      fmt(median(rs.map((r) => r.rssEndMb))).padStart(14),
    ].join(' '));
  }
}

async function measure(mq: ElasticMq, queueUrl: string, runs: number): Promise<void> {
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
    const node = join(profileTools(profile).nodeDir, 'bin', 'node');
    const results = new Map<string, ProbeResult[]>(VARIANTS.map((v) => [v, []]));
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(k + i) % VARIANTS.length] ?? 'none';
        const env = { ...mq.functionEnv(), PATH: process.env.PATH ?? '', PROBE_VARIANT: variant, PROBE_QUEUE_URL: queueUrl, PROBE_SDK_URL: sdkUrl(profile), PROBE_BUILTINS: JSON.stringify(RUNTIME_BUILTINS[profile]) };
        results.get(variant)?.push(await probe(node, env));
      }
    }
    report(profile, results);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt === -1 ? 7 : Number(argv[runsAt + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`Expected \`--runs\` to be a positive integer, got \`${String(argv[runsAt + 1])}\``);
  const mq = await startElasticMq();
  try {
    const queue = await mq.createQueue(`bench-${Date.now()}`);
    console.log(`ElasticMQ at ${mq.endpoint}; ${runs} fresh process(es) per variant and Node version; 200 warm sends and 30 batches per process`);
    await measure(mq, queue.url, runs);
  } finally {
    await mq.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
