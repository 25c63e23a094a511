// The client's npm package as `npm pack` makes it from dist/npm/lambda-after-response (built by
// build.sh, which `npm test` runs first): clean under publint (strict: warnings fail too) and
// Are the Types Wrong (every resolution mode), with the licence, and usable from TypeScript in
// ESM and CommonJS consumers.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkgDir = join(root, 'dist', 'npm', 'lambda-after-response');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
let work = '';
let tarball = '';

beforeAll(() => {
  if (!existsSync(join(pkgDir, 'package.json'))) throw new Error(`${pkgDir} is missing: run bash build.sh (npm test does)`);
  work = mkdtempSync(join(tmpdir(), 'lar-pack-'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work, pkgDir], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  tarball = join(work, name);
  if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function packedFiles(): string[] {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
}

describe('the packed client package', () => {
  test('publint --strict finds nothing', async () => {
    const data = readFileSync(tarball);
    const tar = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const { messages, pkg } = await publint({ pack: { tarball: tar }, strict: true, level: 'suggestion' });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`)).toEqual([]);
  });

  test('Are the Types Wrong finds no problem in any resolution mode (node10, node16 CJS and ESM, bundler)', () => {
    const run = spawnSync(bin('attw'), [tarball, '--format', 'json', '--profile', 'strict'], { encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './hono', './middy', './opennext', './package.json', './testing']);
    expect(run.status, run.stderr).toBe(0);
  });

  test('ships the code, both declaration flavours and the Apache-2.0 licence, and nothing else', () => {
    const files = packedFiles();
    for (const entry of ['index', 'hono', 'middy', 'opennext', 'testing']) {
      for (const ext of ['mjs', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`${entry}.${ext}`);
    }
    for (const f of ['LICENSE', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(LICENSE|package\.json|(index|hono|middy|opennext|testing)\.(mjs|cjs)|(tasks\/)?[a-z-]+\.d\.c?ts)$/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { license: string };
    expect(manifest.license).toBe('Apache-2.0');
    const licence = readFileSync(join(pkgDir, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  test('the main entry carries none of the test kit (lambda-after-response/testing has its own bundle), and the layer does not carry the kit', () => {
    // Marks of the kit's code: its async hooks, its invoke root, its Runtime API double.
    const marks = ['createHook', 'lambda-after-response.invoke', 'RuntimeApiDouble', 'invokeHandler'];
    for (const file of ['index.mjs', 'index.cjs']) {
      const code = readFileSync(join(pkgDir, file), 'utf8');
      expect(marks.filter((mark) => code.includes(mark)), file).toEqual([]);
    }
    const kit = readFileSync(join(pkgDir, 'testing.mjs'), 'utf8');
    expect(marks.filter((mark) => !kit.includes(mark))).toEqual([]);
    const zip = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(root, 'dist', 'after-response-layer.zip')], { encoding: 'utf8' });
    expect(zip.split('\n').filter((name) => name.includes('testing'))).toEqual([]);
  });

  test('type-checks in an ESM and a CommonJS TypeScript consumer (module nodenext, strict)', () => {
    const app = join(work, 'consumer');
    const installed = join(app, 'node_modules', 'lambda-after-response');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    writeFileSync(join(app, 'package.json'), '{"private":true}');
    const body = (imp: string): string => `${imp}
enqueueAfterResponse(async ({ signal, requestId, deadlineMs }) => { signal.throwIfAborted(); return [requestId, deadlineMs]; }, { name: 'reply' });
const drained: Promise<void> = drainAfterResponse();
void drained;
// @ts-expect-error a number is not a job
enqueueAfterResponse(42);
`;
    // The test kit: the handler's return type becomes the response's; a bad timeout is refused by the types.
    const kit = `
const handler = async (event: { id: string }) => ({ statusCode: 200, body: event.id });
async function check(): Promise<void> {
  const result = await invokeHandler(handler, { id: 'a' }, { timeoutMs: 1000 });
  const status: number | undefined = result.response?.statusCode;
  const frozen: readonly { type: string; stack: string }[] = result.frozen;
  void [status, frozen, result.jobs.map((job) => job.outcome)];
  // @ts-expect-error the event must be the handler's
  await invokeHandler(handler, { id: 1 });
}
void check;
`;
    writeFileSync(join(app, 'esm.mts'), body(`import { enqueueAfterResponse, drainAfterResponse } from 'lambda-after-response';\nimport { invokeHandler } from 'lambda-after-response/testing';`) + kit);
    writeFileSync(join(app, 'cjs.cts'), body(`import lar = require('lambda-after-response');\nimport kit = require('lambda-after-response/testing');\nconst { enqueueAfterResponse, drainAfterResponse } = lar;\nconst { invokeHandler } = kit;`) + kit);
    const run = spawnSync(bin('tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'esm.mts', 'cjs.cts'], { cwd: app, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(installed)).toContain('index.d.cts');
  });
});
