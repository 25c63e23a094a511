// Flushers in local runs, as a user tries them with the built layer and plain node (no RIE):
// the extension preloaded without a Runtime API, and the extension turned off
// (AFTER_RESPONSE_DISABLED=true: the client's in-process fallback). Each run must end by itself;
// before the fix the first never flushed and the second flushed ~50 times in 10 s and never drained.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const EXTENSION = fileURLToPath(new URL('../../dist/layer/lambda-after-response/extension.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../dist/npm/lambda-after-response/index.mjs', import.meta.url));

const SCRIPT = `
import { drainAfterResponse, enqueueAfterResponse, flushAfterResponse } from ${JSON.stringify(CLIENT)};
let flushes = 0;
flushAfterResponse(() => {
  flushes++;
  console.log(JSON.stringify({ probe: 'flush', flushes }));
  if (flushes < 20) enqueueAfterResponse(async () => console.log(JSON.stringify({ probe: 'flusher-job', flushes })), { name: 'upload' });
}, { name: 'telemetry' });
const handler = async (event) => {
  enqueueAfterResponse(async () => console.log(JSON.stringify({ probe: 'job', id: event.id })), { name: 'receipt' });
  return { ok: true };
};
for (const id of [1, 2]) {
  await handler({ id });
  await drainAfterResponse();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await drainAfterResponse();
  console.log(JSON.stringify({ probe: 'drained', id, flushes }));
}
`;

// A first "invoke" leaves a waitUntil that never settles and a flusher that hangs once; the later
// ones only enqueue jobs that settle: each must still be flushed (the fallback counted jobs
// globally, and a job or flush that never settled stopped every later flush, silently).
const STUCK_SCRIPT = `
import { drainAfterResponse, enqueueAfterResponse, flushAfterResponse, waitUntil } from ${JSON.stringify(CLIENT)};
let flushes = 0;
flushAfterResponse(() => {
  flushes++;
  console.log(JSON.stringify({ probe: 'flush', flushes }));
  if (flushes === 1) return new Promise(() => {}); // the exporter hangs once
}, { name: 'telemetry' });
waitUntil(new Promise(() => {}));
enqueueAfterResponse(async () => undefined, { name: 'first' });
await new Promise((resolve) => setTimeout(resolve, 20));
for (const id of [2, 3, 4]) {
  enqueueAfterResponse(async () => undefined, { name: 'receipt' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(JSON.stringify({ probe: 'after', id, flushes }));
}
process.exit(0);
`;

function run(env: Record<string, string>, script = SCRIPT): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'local-flush-'));
  writeFileSync(join(dir, 'run.mjs'), script);
  const { AWS_LAMBDA_RUNTIME_API: _api, ...base } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [`--import=${EXTENSION}`, join(dir, 'run.mjs')], { env: { ...base, ...env }, timeout: 10_000 }, (error, stdout) => {
      const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, lines });
    });
  });
}

describe('flushers in a local run with plain node (the built layer)', () => {
  it('extension preloaded, no Runtime API: flushers run when a job settles and no later-started job still runs, before drain resolves', async () => {
    const { code, lines } = await run({});
    expect(code).toBe(0);
    expect(lines.find((l) => String(l.message).startsWith('AWS_LAMBDA_RUNTIME_API is not set'))?.message).toContain('flushers run when a job settles and no job started after it still runs');
    expect(lines.filter((l) => typeof l.probe === 'string').map((l) => `${String(l.probe)} ${String(l.id ?? l.flushes)}`)).toEqual([
      'job 1', 'flush 1', 'flusher-job 1', 'drained 1', 'job 2', 'flush 2', 'flusher-job 2', 'drained 2',
    ]);
  });

  it('AFTER_RESPONSE_DISABLED=true (client fallback): work a flusher enqueues is not flushed again, and the process ends', async () => {
    const { code, lines } = await run({ AFTER_RESPONSE_DISABLED: 'true' });
    expect(code).toBe(0);
    expect(lines.filter((l) => l.probe === 'drained')).toEqual([{ probe: 'drained', id: 1, flushes: 1 }, { probe: 'drained', id: 2, flushes: 2 }]);
    expect(lines.filter((l) => l.probe === 'flush')).toHaveLength(2);
  });

  it('extension preloaded, no Runtime API: a waitUntil that never settles and a flush that hangs once stop no later flush (the same rule as the fallback)', async () => {
    const { code, lines } = await run({}, STUCK_SCRIPT);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.probe === 'after')).toEqual([{ probe: 'after', id: 2, flushes: 2 }, { probe: 'after', id: 3, flushes: 3 }, { probe: 'after', id: 4, flushes: 4 }]);
  });

  it('AFTER_RESPONSE_DISABLED=true: a waitUntil that never settles and a flush that hangs once stop no later flush; the hung flusher is named', async () => {
    const { code, lines } = await run({ AFTER_RESPONSE_DISABLED: 'true' }, STUCK_SCRIPT);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.probe === 'after')).toEqual([{ probe: 'after', id: 2, flushes: 2 }, { probe: 'after', id: 3, flushes: 3 }, { probe: 'after', id: 4, flushes: 4 }]);
    expect(lines.filter((l) => l.level === 'WARN' && l.flusher === 'telemetry')).toEqual([expect.objectContaining({ message: expect.stringContaining('has not settled since an earlier flush') })]);
  });
});
