// The layer's copy of the client, run as Lambda's Node runs it (both profiles' node binaries), in
// the places where it loads its parts (fallback.cjs, tasks.cjs; client/parts-layer.ts) at first
// need: without the extension (ESM and CommonJS entries in one process, AFTER_RESPONSE_DISABLED),
// in a worker thread, through the socket host of a child process, defining and running tasks, and
// with a part missing or damaged. No sandbox: the client needs only node and the built layer.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileTools } from '../rig/tools.ts';
import { LAYER_DIR, PROFILES } from './product-helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'layer-client-parts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the layer's client in its own dir (`damage` edits it), and a script beside it that imports it by path. */
function client(name: string, damage?: (dir: string) => void): string {
  const dir = join(work, name, 'lambda-after-response');
  // LAYER_CLIENT: another build's client dir (e.g. main's, to see these fail before the split).
  cpSync(process.env.LAYER_CLIENT ?? join(LAYER_DIR, 'nodejs', 'node_modules', 'lambda-after-response'), dir, { recursive: true });
  damage?.(dir);
  return dir;
}

/** Runs `code` (an ES module; `CLIENT` is the client's dir) with the profile's node; its stdout lines, parsed when JSON. */
function run(profile: (typeof PROFILES)[number], dir: string, code: string, env: Record<string, string> = {}): { status: number | null; lines: unknown[]; stderr: string } {
  const script = join(dir, '..', `script-${String(Math.random()).slice(2)}.mjs`);
  writeFileSync(script, `const CLIENT = ${JSON.stringify(dir)};\n${code}`);
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const out = spawnSync(node, [script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  const lines = out.stdout.trim().split('\n').filter(Boolean).map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line;
    }
  });
  return { status: out.status, lines, stderr: out.stderr };
}

const LOADED = "const loaded = async () => Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((k) => k.startsWith(CLIENT)).map((k) => k.slice(CLIENT.length + 1)).sort();";
/** The ESM entry runs one job and prints, after it, which of the client's files were loaded. */
const ONE_JOB = `
const { enqueueAfterResponse, drainAfterResponse } = await import(CLIENT + '/index.mjs');
${LOADED}
enqueueAfterResponse(() => console.log('job ran'), { name: 'j' });
await drainAfterResponse();
console.log('loaded ' + (await loaded()).join(','));
`;
const messages = (lines: unknown[]): string[] => lines.map((l) => (typeof l === 'object' && l !== null ? `${String(Reflect.get(l, 'level'))} ${String(Reflect.get(l, 'message'))}` : String(l)));

describe.each(PROFILES)("on %s, the layer's client loads its parts at first need", (profile) => {
  it('ESM and CommonJS entries in one process: each runs its own jobs, both on one fallback.cjs loaded at the first enqueue; tasks.cjs at the first defineTask', () => {
    const dir = client(`both-${profile}`);
    const { status, lines, stderr } = run(profile, dir, `
const esm = await import(CLIENT + '/index.mjs');
const cjs = (await import('node:module')).createRequire(import.meta.url)(CLIENT + '/index.cjs');
${LOADED}
console.log('at import: ' + (await loaded()).join(','));
esm.enqueueAfterResponse(() => console.log('esm job'), { name: 'esm' });
cjs.enqueueAfterResponse(() => console.log('cjs job'), { name: 'cjs' });
console.log('after enqueue: ' + (await loaded()).join(','));
esm.defineTask('report', (payload) => console.log('task ' + payload.n)).enqueue({ n: 1 });
console.log('after defineTask: ' + (await loaded()).join(','));
await esm.drainAfterResponse();
await cjs.drainAfterResponse();
`);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(messages(lines).filter((m) => !m.startsWith('WARN'))).toEqual([
      'at import: index.cjs', 'after enqueue: fallback.cjs,index.cjs', 'after defineTask: fallback.cjs,index.cjs,tasks.cjs', 'esm job', 'task 1', 'cjs job',
    ]);
    // Each client warns once that nothing holds its jobs (its own in-process host), and the task client that no queue is set.
    expect(messages(lines).filter((m) => m.startsWith('WARN')).map((m) => m.split(':')[0])).toEqual([
      'WARN no lambda-after-response extension is loaded', 'WARN no lambda-after-response extension is loaded', 'WARN AFTER_RESPONSE_TASK_QUEUE_URL is not set',
    ]);
  });

  it('AFTER_RESPONSE_DISABLED=true: the job runs in-process (fallback.cjs), and the warning says why', () => {
    const { status, lines } = run(profile, client(`disabled-${profile}`), ONE_JOB, { AFTER_RESPONSE_DISABLED: 'true' });
    expect(status).toBe(0);
    expect(messages(lines)).toEqual(['WARN AFTER_RESPONSE_DISABLED=true turned the extension off: jobs run in-process and are not held, so Lambda may freeze them', 'job ran', 'loaded fallback.cjs']);
  });

  it('a worker thread requires fallback.cjs in its own thread and runs its job', () => {
    const { status, lines, stderr } = run(profile, client(`worker-${profile}`), `
const { Worker } = await import('node:worker_threads');
const worker = new Worker(\`
  const { enqueueAfterResponse, drainAfterResponse } = require(\${JSON.stringify(CLIENT + '/index.cjs')});
  enqueueAfterResponse(() => console.log('worker job'), { name: 'w' });
  drainAfterResponse().then(() => console.log('worker loaded ' + Object.keys(require.cache).filter((k) => k.endsWith('.cjs')).map((k) => k.split('/').pop()).sort().join(',')));
\`, { eval: true });
await new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });
`);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(messages(lines).filter((m) => !m.startsWith('WARN') && !m.startsWith('INFO'))).toEqual(['worker job', 'worker loaded fallback.cjs,index.cjs']);
  });

  it("in a child of the runtime (AFTER_RESPONSE_SOCKET set), the socket host from fallback.cjs: a socket that is gone runs the job unheld, said in a WARN", () => {
    const { status, lines } = run(profile, client(`socket-${profile}`), ONE_JOB, { AFTER_RESPONSE_SOCKET: join(work, 'no-such.sock') });
    expect(status).toBe(0);
    expect(messages(lines)).toEqual([expect.stringMatching(/^WARN .*socket/i), 'job ran', 'loaded fallback.cjs']);
  });

  it('a task batch is run from tasks.cjs, loaded at handleTaskBatch', () => {
    const { status, lines } = run(profile, client(`batch-${profile}`), `
const { defineTask, handleTaskBatch, isTaskBatch } = await import(CLIENT + '/index.mjs');
${LOADED}
const event = { Records: [{ messageId: 'm-1', body: JSON.stringify({ v: 1, task: 'report', taskId: 't-1', attempt: 1, payload: { n: 7 } }), messageAttributes: { AfterResponseTask: { stringValue: 'report' } }, attributes: { ApproximateReceiveCount: '1' } }] };
console.log('isTaskBatch ' + isTaskBatch(event) + ', loaded ' + (await loaded()).join(','));
defineTask('report', (payload) => console.log('task ' + payload.n));
console.log('result ' + JSON.stringify(await handleTaskBatch(event, { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'r-1' })) + ', loaded ' + (await loaded()).join(','));
`);
    expect(status).toBe(0);
    // isTaskBatch is in the entry (no CommonJS file loaded by then: the ES entry is not in require's cache).
    expect(messages(lines).filter((m) => !m.startsWith('WARN') && !m.startsWith('INFO'))).toEqual([
      'isTaskBatch true, loaded ', 'task 7', 'result {"batchItemFailures":[]}, loaded tasks.cjs',
    ]);
  });
});

describe.each(PROFILES)("on %s, a part of the layer's client that is missing or damaged", (profile) => {
  it('fallback.cjs missing: one ERROR naming its path and what does not work, then each job named as not run; the process goes on', () => {
    const dir = client(`no-fallback-${profile}`, (d) => rmSync(join(d, 'fallback.cjs')));
    const { status, lines } = run(profile, dir, `
const { enqueueAfterResponse, drainAfterResponse } = await import(CLIENT + '/index.mjs');
enqueueAfterResponse(() => console.log('job ran'), { name: 'receipt' });
await drainAfterResponse();
console.log('went on');
`);
    expect(status).toBe(0);
    expect(messages(lines)).toEqual([
      `ERROR lambda-after-response could not load ${join(dir, 'fallback.cjs')}: Cannot find module '${join(dir, 'fallback.cjs')}'; it runs the jobs and flushers of a process without the layer's extension in it (no layer, AFTER_RESPONSE_DISABLED=true, a child process or worker thread); without it, jobs and flushers cannot run in this process unless the layer's extension runs in it: each is named in an ERROR and not run`,
      'ERROR job not run: the client could not load its fallback code',
      'went on',
    ]);
  });

  it('tasks.cjs damaged: defineTask throws an Error naming its path (the function fails its init, loudly), after one ERROR', () => {
    const dir = client(`bad-tasks-${profile}`, (d) => writeFileSync(join(d, 'tasks.cjs'), 'module.exports = {\n'));
    const { status, lines } = run(profile, dir, `
const { defineTask } = await import(CLIENT + '/index.mjs');
try {
  defineTask('report', () => undefined);
} catch (error) {
  console.log('threw ' + error.message);
}
`);
    expect(status).toBe(0);
    const expected = `lambda-after-response could not load ${join(dir, 'tasks.cjs')}: `;
    expect(messages(lines)).toEqual([expect.stringMatching(`^ERROR ${expected}.*; defineTask, handleTaskBatch and setTaskCompletionStore do not work`), expect.stringMatching(`^threw ${expected}`)]);
  });
});
