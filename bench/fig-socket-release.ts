// Figure 11: release latency for jobs of other processes, over the extension's socket. The
// command's (or the forked worker's) last act writes its end time to the function's /tmp; the
// release time is the recording proxy's, converted to epoch with this process's timeOrigin. The
// fixtures are the integration tests' (test/fixtures/app/socket-hold.mjs, socket-fork.mjs).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '../test/rig/types.ts';
import { cell } from './format.ts';
import { invokeOk, toEpoch, warmUp, withFunctions } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { FigureContext, Row } from './types.ts';

const APP_DIR = fileURLToPath(new URL('../test/fixtures/app', import.meta.url));
/** The goal the integration tests asserted before timing moved here. */
const GOAL_P99_MS = 50;

/** Invokes `times` times; each time `endedAt` reads the job's end (epoch ms) from the sandbox's /tmp. */
async function latencies(box: Sandbox, times: number, payload: unknown, file: string, endedAt: (text: string) => number): Promise<number[]> {
  const path = `${box.tmpDir}/${file}`;
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    rmSync(path, { force: true });
    const result = await invokeOk(box, payload);
    if (!existsSync(path)) throw new Error(`the job did not end before the release (${file} missing)`);
    out.push(toEpoch(result.extensionReleasedAt ?? NaN) - endedAt(readFileSync(path, 'utf8')));
  }
  return out;
}

function row(ctx: FigureContext, metric: string, values: number[]): Row {
  const s = summarize(values);
  return {
    figure: '11. Socket release latency', profile: ctx.profile, metric, measured: cell(s, 'ms', 2, true),
    baseline: '—', delta: '—', ratio: '—', goal: `p99 ≤ ${GOAL_P99_MS} ms`, met: s.p99 <= GOAL_P99_MS,
  };
}

export async function socketReleaseLatency(ctx: FigureContext): Promise<Row[]> {
  const specs = [{ handler: 'socket-hold.handler', layer: true, taskDir: APP_DIR }, { handler: 'socket-fork.handler', layer: true, taskDir: APP_DIR }];
  return withFunctions(ctx.profile, specs, async ([hold, fork]) => {
    if (!hold || !fork) throw new Error('no sandbox');
    await warmUp(hold, { name: 'warm-up', script: 'true' }, 3);
    await warmUp(fork, { dir: '/tmp', jobMs: 1 }, 3);
    // `date +%s%N` is the command's last act; it exits right after.
    const held = await latencies(hold, ctx.counts.socketInvokes, { name: 'bench-hold', script: 'date +%s%N > /tmp/hold-exit' }, 'hold-exit', (text) => Number(text.trim()) / 1e6);
    const forked = await latencies(fork, ctx.counts.socketInvokes, { dir: '/tmp', jobMs: 1 }, 'fork-done.json', (text) => (JSON.parse(text) as { at: number }).at);
    return [
      row(ctx, "after-response-hold: the command's last act → extension `next`", held),
      row(ctx, "forked Node worker: its job's end → extension `next`", forked),
    ];
  });
}
