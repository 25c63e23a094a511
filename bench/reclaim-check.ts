// Checks what bench/memory-reclaim.ts assumes: that under a memory limit the kernel takes a node
// process's clean file-backed pages (the `node` binary's code, V8's compilers among it) and keeps
// it running, so the limit it must leave is its anonymous memory, not its RSS. For each Lambda Node
// major: a memory cgroup (v1 controller at /sys/fs/cgroup/memory; needs root); inside it, the
// `node` binary copied to a new file and synced (so its page cache is charged to the cgroup, as a
// sandbox's own files are) and started on a script that makes 200 functions hot (Maglev and TurboFan run)
// and keeps 8 MB of buffers; then the smallest `memory.limit_in_bytes` the kernel accepts (it
// reclaims on the write and fails with EBUSY when it cannot get under it), and the process's pages
// before and after; then the same hot code run again (its reclaimed pages read back in) with 16 and
// 32 MB over that limit, and without one: reclaimed pages a process uses are read again and again. `npx vite-node bench/reclaim-check.ts -- [--profiles nodejs22.x,nodejs24.x]`
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { rollupKb } from './proc-reading.ts';
import { runScript, scriptOption } from './run-script.ts';
import type { Profile } from './types.ts';

const CGROUPS = '/sys/fs/cgroup/memory';
const MB = 1024 * 1024;
const STEP = MB / 4;

const SCRIPT = `
const fns = [];
for (let i = 0; i < 200; i++) fns.push(new Function('a', 'b', \`let s = \${i}; for (let j = 0; j < a; j++) s = (s * 31 + b + j) | 0; return s;\`));
let x = 0;
for (let r = 0; r < 3000; r++) for (const f of fns) x += f(20, r);
const kept = Buffer.alloc(8 * 1024 * 1024, 1);
globalThis.gc();
console.log('ready', x & 1, kept.length);
// 'run': the hot code again (its pages, reclaimed, are read again), then 'ran'.
process.stdin.on('data', () => {
  const started = performance.now();
  for (let r = 0; r < 3000; r++) for (const f of fns) x += f(20, r);
  console.log('ran', (performance.now() - started).toFixed(0), x & 1);
});
`;

const pages = (pid: number): { rss: number; file: number; anon: number } => {
  const kb = rollupKb(pid);
  const [rss, anon] = [kb.Rss ?? NaN, kb.Anonymous ?? NaN];
  return { rss: rss / 1024, file: (rss - anon) / 1024, anon: anon / 1024 };
};

/** Bisects for the smallest limit the kernel accepts for `group`, in bytes (within STEP). */
function smallestLimit(group: string): number {
  let ok = Number(readFileSync(`${group}/memory.usage_in_bytes`, 'utf8')) + STEP;
  let refused = 0;
  while (ok - refused > STEP) {
    const mid = Math.round((ok + refused) / 2 / 4096) * 4096;
    try {
      writeFileSync(`${group}/memory.limit_in_bytes`, String(mid));
      ok = mid;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
      refused = mid;
    }
  }
  return ok;
}

/** Starts the script inside `group` on a copy of `node` made there; resolves once it is ready. */
function startInside(group: string, node: string, dir: string): Promise<ChildProcess> {
  writeFileSync(join(dir, 'hot.mjs'), SCRIPT);
  const shell = `echo $$ > ${group}/cgroup.procs && cp ${node} ${dir}/node && sync ${dir}/node && exec ${dir}/node --expose-gc ${dir}/hot.mjs`;
  const child = spawn('sh', ['-c', shell], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => (d.toString().includes('ready') ? resolve(child) : reject(new Error(`not ready: ${d.toString()}`))));
    child.once('exit', (code) => reject(new Error(`the script exited (${String(code)}) before it was ready`)));
  });
}

/** Asks the script to run its hot code again; resolves with its ms, or with why it did not answer (killed, or 60 s passed). */
function runAgain(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no answer in 60 s'), 60_000);
    child.stdout?.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(`yes, in ${d.toString().split(' ')[1] ?? '?'} ms`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(`no: exited (${String(signal ?? code)})`);
    });
    child.stdin?.write('run\n');
  });
}

async function check(profile: Profile): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-check-'));
  const group = `${CGROUPS}/after-response-reclaim-${String(process.pid)}`;
  mkdirSync(group);
  let child: ChildProcess | undefined;
  try {
    child = await startInside(group, join(profileTools(profile).nodeDir, 'bin', 'node'), dir);
    const pid = child.pid ?? NaN;
    const before = pages(pid);
    const charged = Number(readFileSync(`${group}/memory.usage_in_bytes`, 'utf8')) / MB;
    const limit = smallestLimit(group);
    const after = pages(pid);
    // The hot code again, its reclaimed pages read back in: with 16 and 32 MB over that limit, then without a limit.
    const again: string[] = [];
    for (const headroom of [16, 32, undefined]) {
      writeFileSync(`${group}/memory.limit_in_bytes`, headroom === undefined ? '-1' : String(limit + headroom * MB));
      again.push(await runAgain(child));
    }
    const f = (v: number): string => v.toFixed(1);
    return `| ${profile} | ${f(before.rss)} | ${f(before.file)} | ${f(before.anon)} | ${f(charged)} | ${f(limit / MB)} | ${f(after.rss)} | ${f(after.anon)} | ${again.join(' | ')} |`;
  } finally {
    child?.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    rmdirSync(group);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const profiles = scriptOption('profiles', 'nodejs22.x,nodejs24.x').split(',') as Profile[];
  console.log('| runtime | RSS | file-backed | anonymous | cgroup charged | smallest limit | RSS at that limit | anonymous at that limit | hot code again, limit + 16 MB | + 32 MB | no limit |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const profile of profiles) console.log(await check(profile));
}

runScript(main);
