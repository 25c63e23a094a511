/**
 * What the release checks in the layer zip before publishing it: the files Lambda needs, no
 * native code but the malloc-trim addon built for each architecture, each for the machine its name
 * says (so declaring both architectures, x86_64 and arm64, is honest), the fixed
 * timestamps and modes that make the build byte-identical for identical sources, and the
 * versions it carries (the client package's, and the extension's `layerVersion`, read by
 * loading the extension as Lambda would).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { elfArch, NOT_ELF } from './elf-arch.ts';
import type { ZipEntry } from './zip-reader.ts';

/** Entries Lambda and the client need (build.sh also checks them); the client's files follow its package. */
export const REQUIRED_ENTRIES = [
  'after-response',
  'bin/after-response-hold',
  'lambda-after-response/extension.mjs',
  // The socket's server and spawn hook, required by the extension at the first child (build.sh).
  'lambda-after-response/socket.cjs',
  // The EMF lines and the SIGTERM hand-offs, required at their first use (extension/lazy-file.ts).
  'lambda-after-response/reporting.cjs',
  // glibc's malloc_trim as a Node-API addon, one per architecture (extension/memory/malloc-trim.c).
  'lambda-after-response/malloc-trim-x64.node',
  'lambda-after-response/malloc-trim-arm64.node',
  'nodejs/node_modules/lambda-after-response/package.json',
  'nodejs/node_modules/lambda-after-response/index.mjs',
  'nodejs/node_modules/lambda-after-response/index.cjs',
  // The layer's client requires these at first need (fallback hosts; tasks): build.sh, client/parts-layer.ts.
  'nodejs/node_modules/lambda-after-response/fallback.cjs',
  'nodejs/node_modules/lambda-after-response/tasks.cjs',
] as const;
const EXECUTABLES = new Set(['after-response', 'bin/after-response-hold']);
/** The only native code the layer carries, by entry: the `process.arch` its ELF header must name. */
const NATIVE_ADDONS: ReadonlyMap<string, string> = new Map([
  ['lambda-after-response/malloc-trim-x64.node', 'x64'],
  ['lambda-after-response/malloc-trim-arm64.node', 'arm64'],
]);
const CLIENT_DIR = 'nodejs/node_modules/lambda-after-response/';

/** Problems with the layer zip's contents, each naming the entry; empty when it is fit to publish. */
export function layerZipProblems(entries: readonly ZipEntry[]): string[] {
  const names = new Set(entries.map((e) => e.name));
  const problems = REQUIRED_ENTRIES.filter((n) => !names.has(n)).map((n) => `the layer zip lacks ${n}`);
  for (const entry of entries) problems.push(...entryProblems(entry));
  const sorted = [...entries.map((e) => e.name)].sort();
  if (sorted.some((n, i) => n !== entries[i]?.name)) problems.push('the layer zip entries are not in sorted order (build.sh sorts them so the zip is reproducible)');
  return problems;
}

function entryProblems(entry: ZipEntry): string[] {
  const { name, data, mode } = entry;
  const problems: string[] = [];
  if (name.startsWith('/') || name.split('/').includes('..')) problems.push(`${name}: a path outside /opt`);
  if (name.includes('node_modules/') && !name.startsWith(CLIENT_DIR)) problems.push(`${name}: a dependency other than the client (the layer ships none)`);
  // ELF (Linux executables and .node addons), and the addon suffix: code built for one architecture,
  // allowed only as the addon pair, each built for the machine its name says.
  const arch = NATIVE_ADDONS.get(name);
  if (arch !== undefined) {
    const built = elfArch(data);
    if (built !== arch) problems.push(`${name}: built for ${built}, its name says ${arch}`);
  } else if (name.endsWith('.node') || elfArch(data) !== NOT_ELF) {
    problems.push(`${name}: native code, built for one architecture (the layer declares x86_64 and arm64)`);
  }
  if (entry.modified !== '1980-01-01 00:00:00') problems.push(`${name}: timestamp ${entry.modified}, not the fixed 1980-01-01 00:00:00`);
  const wanted = EXECUTABLES.has(name) || (name.startsWith('bin/') && data.subarray(0, 2).toString() === '#!') ? 0o100755 : 0o100644;
  if (mode !== wanted) problems.push(`${name}: mode ${mode.toString(8)}, expected ${wanted.toString(8)}`);
  return problems;
}

/** The `version` of the client package inside the layer (`nodejs/node_modules/lambda-after-response`). */
export function layerClientVersion(entries: readonly ZipEntry[]): string {
  const manifest = entries.find((e) => e.name === `${CLIENT_DIR}package.json`);
  if (manifest === undefined) throw new Error(`the layer zip lacks ${CLIENT_DIR}package.json`);
  const version: unknown = Reflect.get(JSON.parse(manifest.data.toString('utf8')) as object, 'version');
  if (typeof version !== 'string') throw new Error(`${CLIENT_DIR}package.json has no string \`version\`, got ${JSON.stringify(version)}`);
  return version;
}

/**
 * The `layerVersion` the layer's extension publishes in its host registry, read by loading
 * `lambda-after-response/extension.mjs` (extracted from the zip) with `node --import`, without a
 * Runtime API: the extension then warns, runs unheld and publishes its host as on Lambda.
 * @param node  the node binary to run (default `process.execPath`)
 * @throws Error with the child's output when it publishes no registry or exits non-zero
 */
export function layerVersionOf(entries: readonly ZipEntry[], node: string = process.execPath): string {
  const dir = mkdtempSync(join(tmpdir(), 'lar-layer-'));
  try {
    for (const entry of entries) {
      mkdirSync(dirname(join(dir, entry.name)), { recursive: true });
      writeFileSync(join(dir, entry.name), entry.data);
    }
    const probe = 'const r = globalThis[Symbol.for("lambda-after-response.host")]; process.stderr.write(`LAYER_VERSION=${JSON.stringify(r?.layerVersion ?? null)}\\n`);';
    const run = spawnSync(node, ['--import', join(dir, 'lambda-after-response', 'extension.mjs'), '-e', probe], {
      encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 30_000,
    });
    const found = /^LAYER_VERSION=(.*)$/m.exec(run.stderr)?.[1];
    const version: unknown = found === undefined ? null : JSON.parse(found);
    if (run.status !== 0 || typeof version !== 'string') {
      throw new Error(`the layer's extension published no layerVersion (exit ${String(run.status)}): ${run.stdout}${run.stderr}`);
    }
    return version;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
