// Figure 7: the same 500 ms I/O job four ways, round-robin within each repetition. Completion is
// checked after the round, while every function is frozen: a job that finished did so before
// its freeze. Billed duration is RIE's REPORT line (it includes the extension's hold).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InvokeResult, Sandbox } from '../test/rig/types.ts';
import { cell } from './format.ts';
import { invokeOk, withFunctions, type FunctionSpec } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { AlternativeRow, FigureContext } from './types.ts';

interface Approach extends FunctionSpec {
  label: string;
}

const APPROACHES: Approach[] = [
  { label: '(a) await the job, then return', handler: 'alt-await.handler', layer: false },
  { label: '(b) streaming trick: end the stream, keep awaiting', handler: 'alt-stream.handler', layer: false },
  { label: '(c) un-awaited promise, no layer', handler: 'alt-unawaited.handler', layer: false },
  { label: '(d) this layer: `enqueueAfterResponse`', handler: 'alt-layer.handler', layer: true },
];
const JOB_MS = 500;

interface Outcome {
  result: InvokeResult;
  completed: boolean;
}

export function billedMs(logs: string, requestId: string | undefined): number {
  const line = logs.split('\n').find((l) => requestId !== undefined && l.startsWith(`REPORT RequestId: ${requestId}`));
  return Number(/Billed Duration: (\d+) ms/.exec(line ?? '')?.[1] ?? NaN);
}

async function round(boxes: Sandbox[], rep: number, outcomes: Outcome[][]): Promise<void> {
  const marker = (i: number): string => `alt-${i}-${rep}`;
  const results: InvokeResult[] = [];
  for (let k = 0; k < boxes.length; k++) {
    const i = (((k + rep) % boxes.length) + boxes.length) % boxes.length; // rotate who goes first
    const box = boxes[i];
    if (box) results[i] = await invokeOk(box, { marker: marker(i) });
  }
  // Give a lost job well over its 500 ms to prove it did not run during the freeze.
  const last = Math.max(...results.map((r) => r.returnedAt));
  await new Promise((r) => setTimeout(r, Math.max(0, last + JOB_MS + 300 - performance.now())));
  boxes.forEach((box, i) => {
    const result = results[i];
    if (result) outcomes[i]?.push({ result, completed: existsSync(join(box.tmpDir, marker(i))) });
  });
}

export async function alternatives(ctx: FigureContext): Promise<AlternativeRow[]> {
  return withFunctions(ctx.profile, APPROACHES, async (boxes) => {
    const outcomes: Outcome[][] = APPROACHES.map(() => []);
    await round(boxes, -1, APPROACHES.map(() => [])); // warm-up, not counted
    for (let rep = 0; rep < ctx.counts.alternativeReps; rep++) await round(boxes, rep, outcomes);
    return APPROACHES.map((approach, i) => {
      const list = outcomes[i] ?? [];
      const logs = boxes[i]?.logs() ?? '';
      return {
        profile: ctx.profile, approach: approach.label,
        response: cell(summarize(list.map((o) => (o.result.responsePostedAt ?? NaN) - o.result.startedAt)), 'ms', 1),
        completed: `${list.filter((o) => o.completed).length}/${list.length}`,
        billed: cell(summarize(list.map((o) => billedMs(logs, o.result.requestId))), 'ms', 0),
      };
    });
  });
}
