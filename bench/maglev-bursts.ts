// What V8's concurrent compiles leave behind, by how many functions become hot at once. In a fresh
// `node` process of each Lambda Node major: 200 small functions (distinct, made by `new Function`),
// made hot in batches of B — each batch called 3,000 times, yielding to the event loop every 100
// calls so the background compiles run, then a 20 ms pause before the next batch — and after a gc,
// the process's anonymous memory (smaps_rollup: malloc's arenas and V8's heap) and RSS. With
// Maglev's compiles on V8's background threads (the default), the memory grows with B, the number
// of compiles in flight together, not with the 200 compiles made in all; with Maglev off, or the
// compiles on the main thread (`--no-concurrent-recompilation`), it does not. A function's path runs
// its functions the same number of times, so they become hot together: the burst a job path makes.
// Medians of N processes. With --trim (needs gdb and root), gdb then calls glibc's malloc_trim(0)
// in each process: what it gives back is memory the compiles freed and malloc kept.
// `npx vite-node bench/maglev-bursts.ts -- [--runs N] [--trim]`
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { mallocTrim } from './proc-reading.ts';
import { runScript, scriptArgs, scriptOption } from './run-script.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

const FUNCTIONS = 200;
const BATCHES = [1, 10, 25, 50, 100, 200];
const FLAGS = ['', '--no-concurrent-recompilation', '--no-maglev'];

const SCRIPT = `
import { readFileSync } from 'node:fs';
const [functions, batch] = process.argv.slice(2).map(Number);
const fns = [];
for (let i = 0; i < functions; i++) {
  fns.push(new Function('o', \`let s = o.a + \${i}; for (let k = 0; k < 3; k++) s += (o.b[k] ?? 0) * \${i % 7 + 1}; if (s > \${i * 10}) o.c = s; return { v: s, n: 'f\${i}' };\`));
}
const o = { a: 1, b: [1, 2, 3], c: 0 };
for (let first = 0; first < functions; first += batch) {
  const hot = fns.slice(first, first + batch);
  for (let round = 0; round < 300; round++) {
    for (const f of hot) for (let j = 0; j < 10; j++) f(o);
    if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await new Promise((resolve) => setTimeout(resolve, 300));
globalThis.gc(); globalThis.gc();
const read = () => {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (name) => Number(new RegExp(name + ':\\\\s+(\\\\d+)').exec(rollup)[1]);
  return { anon: kb('Anonymous') / 1024, rss: kb('Rss') / 1024 };
};
console.log(JSON.stringify(read()));
// --trim: the runner calls malloc_trim(0) in this process through gdb, then writes a line.
if (process.env.BURSTS_TRIM) process.stdin.once('data', () => { console.log(JSON.stringify(read())); process.exit(0); });
`;

interface Reading { anon: number; rss: number; trimmed?: number }

/** One fresh process: anonymous memory and RSS after the bursts, in MB; with `trim`, the anonymous memory once gdb called malloc_trim(0) in it. */
function once(node: string, file: string, flags: string, batch: number, options: { readonly trim: boolean }): Promise<Reading> {
  const args = ['--expose-gc', ...flags.split(' ').filter(Boolean), file, String(FUNCTIONS), String(batch)];
  const child = spawn(node, args, { env: { ...process.env, ...(options.trim ? { BURSTS_TRIM: '1' } : {}) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      lines.push(...d.split('\n').filter(Boolean));
      if (lines.length !== 1 || !options.trim) return;
      try {
        mallocTrim(child.pid ?? NaN);
      } catch (error) {
        reject(error);
      }
      child.stdin.end('trimmed\n');
    });
    child.on('exit', (code) => {
      if (code !== 0 || lines.length === 0) return reject(new Error(`${node} ${args.join(' ')} exited ${String(code)}`));
      const first = JSON.parse(lines[0] ?? '') as Reading;
      resolve(lines[1] === undefined ? first : { ...first, trimmed: (JSON.parse(lines[1]) as Reading).anon });
    });
    if (!options.trim) child.stdin.end();
  });
}

async function main(): Promise<void> {
  const runs = Number(scriptOption('runs', '3'));
  const trim = scriptArgs.includes('--trim');
  const file = join(mkdtempSync(join(tmpdir(), 'maglev-bursts-')), 'bursts.mjs');
  writeFileSync(file, SCRIPT);
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as Profile[]) {
    const node = join(profileTools(profile).nodeDir, 'bin', 'node');
    for (const flags of FLAGS) {
      const cells: string[] = [];
      for (const batch of BATCHES) {
        const readings: Reading[] = [];
        for (let i = 0; i < runs; i++) readings.push(await once(node, file, flags, batch, { trim }));
        const median = (pick: (r: Reading) => number): string => summarize(readings.map(pick)).median.toFixed(1);
        cells.push(`B=${String(batch)} ${median((r) => r.anon)} (${median((r) => r.rss)})${trim ? ` → ${median((r) => r.trimmed ?? NaN)}` : ''}`);
      }
      console.log(`${profile} ${flags || 'defaults'}: anonymous MB (RSS)${trim ? ' → anonymous after malloc_trim(0)' : ''} — ${cells.join(', ')}`);
    }
  }
}

runScript(main);
