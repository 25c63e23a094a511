// The layer's copy of the client is split (build.sh, client/parts-layer.ts): its entries carry the
// API, validation and the host lookup only; the fallback hosts and the tasks are in fallback.cjs
// and tasks.cjs, required at first need. The npm package's entries stay whole (users bundle them,
// and a bundler follows no runtime `require`). Marks of each part's code, as esbuild keeps them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
// CLIENT_DIST: another build's dist/ (e.g. a copy of main's, to see this fail before the split).
const dist = process.env.CLIENT_DIST ?? join(root, 'dist');
const layerClient = join(dist, 'layer', 'nodejs', 'node_modules', 'lambda-after-response');
const npmClient = join(dist, 'npm', 'lambda-after-response');

const FALLBACK_MARKS = ['function createLocalHost(', 'function createSocketHost(', 'var TrailingFlush = class', 'var JobSet = class', 'function unheldWarning('];
const TASK_MARKS = ['function createTaskApi(', 'var TaskRegistry = class', 'var TaskRun = class', 'function handleBatch(', 'function createSqsSender('];
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const present = (code: string, marks: readonly string[]): string[] => marks.filter((mark) => code.includes(mark));

describe("the layer's client entries load only what every function uses", () => {
  test.each(['index.mjs', 'index.cjs'])("the layer's %s carries none of the fallback hosts' or the tasks' code, and requires them from its siblings", (file) => {
    const code = read(layerClient, file);
    expect(present(code, [...FALLBACK_MARKS, ...TASK_MARKS])).toEqual([]);
    expect(code).toContain('"fallback.cjs"');
    expect(code).toContain('"tasks.cjs"');
    expect(code).toContain('function isTaskBatch('); // called on every invoke by task handlers: kept in the entry
  });

  test('fallback.cjs and tasks.cjs carry their parts, and each only its own', () => {
    const fallback = read(layerClient, 'fallback.cjs');
    const tasks = read(layerClient, 'tasks.cjs');
    expect(present(fallback, FALLBACK_MARKS)).toEqual(FALLBACK_MARKS);
    expect(present(tasks, TASK_MARKS)).toEqual(TASK_MARKS);
    expect(present(fallback, TASK_MARKS)).toEqual([]);
    expect(present(tasks, FALLBACK_MARKS)).toEqual([]);
    // No state at module level (a Map, a Set, a mutable binding): the ESM and CommonJS entries of one process share each part.
    for (const code of [fallback, tasks]) expect(code.match(/^(let \w+|var \w+ = (\/\* @__PURE__ \*\/ )?new \w+)/gm) ?? []).toEqual([]);
  });

  test.each(['index.mjs', 'index.cjs'])("the npm package's %s stays whole: every part inside, no sibling required", (file) => {
    const code = read(npmClient, file);
    expect(present(code, [...FALLBACK_MARKS, ...TASK_MARKS])).toEqual([...FALLBACK_MARKS, ...TASK_MARKS]);
    expect(code).not.toContain('fallback.cjs');
    expect(code).not.toContain('tasks.cjs');
  });
});

// What importing the client does at top level costs every cold start (bench/resolve-hook-micro.ts):
// the default client, its logger and the task API are made at the first call (client/client.ts,
// client/index.ts). Observed as the client's environment reads (AFTER_RESPONSE_*, AWS_*; Node reads its own):
// the logger's level was one.
const ENV_READS = `const reads = [];
process.env = new Proxy(process.env, { get(target, key) { if (typeof key === 'string' && /^(AFTER_RESPONSE|AWS)_/.test(key)) reads.push(key); return Reflect.get(target, key); } });
globalThis[Symbol.for('lambda-after-response.host')] = { layerVersion: 'test', protocols: { 1: { enqueue() {}, drain: () => Promise.resolve() } } };
const client = await import(process.argv[1]);
const atImport = reads.splice(0);
client.enqueueAfterResponse(() => undefined, { name: 'x' });
console.log(JSON.stringify({ atImport, atEnqueue: reads }));`;

describe('importing the client makes nothing until a function is called', () => {
  test.each([[layerClient, 'index.mjs'], [layerClient, 'index.cjs'], [npmClient, 'index.mjs'], [npmClient, 'index.cjs']])('%s/%s: no environment variable is read at import, nor by a first enqueue to the extension\'s host (the logger is made at its first line)', (dir, file) => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', ENV_READS, join(dir, file)], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AFTER_RESPONSE_LOG_LEVEL: 'DEBUG' } });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ atImport: [], atEnqueue: [] });
  });
});

describe('a function bundling the npm package with esbuild (as the Slack example can be deployed without the layer)', () => {
  test.each(['handler.mjs', 'task-handler.mjs'])('the Slack example\'s %s bundles into one self-contained file that loads and defines its tasks with no package beside it', async (file) => {
    const out = mkdtempSync(join(tmpdir(), 'lar-bundle-'));
    try {
      await build({
        entryPoints: [join(root, 'examples', 'slack-slash-command', file)], bundle: true, platform: 'node', format: 'esm', target: 'node22',
        outfile: join(out, 'bundle.mjs'), nodePaths: [join(dist, 'npm')], logLevel: 'silent',
      });
      const code = readFileSync(join(out, 'bundle.mjs'), 'utf8');
      expect(code).not.toMatch(/fallback\.cjs|tasks\.cjs/);
      // Imported from a dir with no node_modules: the handler module's top level runs (task-handler.mjs defines its tasks there).
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(out, 'bundle.mjs'))}); console.log(typeof m.handler);`], { cwd: out, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n').at(-1)).toBe('function');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
