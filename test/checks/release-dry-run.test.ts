// The release's offline dry run, on what `npm test` built (build.sh, run first): the version check
// the release workflow runs (tag = client/package.json = the layer's layerVersion), and its failure
// on a mismatch; the layer zip's contents and its reproducibility (two builds from two copies of
// the sources, different paths and timestamps, give the same bytes); `npm publish --dry-run` of the
// packed client as the workflow packs it; and the Layer ARNs page from sample publish outputs.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { parseRecord } from '../../release/layer-arns.ts';
import { renderLayerArnsPage } from '../../release/layer-arns-page.ts';
import { layerClientVersion, layerVersionOf, layerZipProblems } from '../../release/layer-zip.ts';
import { readZip, type ZipEntry } from '../../release/zip-reader.ts';

const root = join(import.meta.dirname, '..', '..');
const zipPath = join(root, 'dist', 'after-response-layer.zip');
const pkgDir = join(root, 'dist', 'npm', 'lambda-after-response');
const version = (JSON.parse(readFileSync(join(root, 'client', 'package.json'), 'utf8')) as { version: string }).version;
const fixtures = join(root, 'test', 'fixtures', 'release');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};

/** `vite-node release/cli.ts -- <args>`, as the workflow runs it. */
function release(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(join(root, 'node_modules', '.bin', 'vite-node'), [join(root, 'release', 'cli.ts'), '--', ...args], { cwd: root, encoding: 'utf8' });
}

/** A copy of `entries` as a zip written by python's zipfile (what build.sh uses), each entry as given. */
function writeZip(entries: readonly ZipEntry[], file: string): void {
  const spec = join(dirname(file), 'entries.json');
  writeFileSync(spec, JSON.stringify(entries.map((e) => ({ name: e.name, mode: e.mode, modified: e.modified, data: e.data.toString('base64') }))));
  execFileSync('python3', ['-c', `import base64, json, sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zf:
    for e in json.load(open(sys.argv[1])):
        d, t = e["modified"].split(" ")
        info = zipfile.ZipInfo(e["name"], date_time=tuple(int(x) for x in d.split("-") + t.split(":")))
        info.external_attr = e["mode"] << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, base64.b64decode(e["data"]))`, spec, file]);
}

describe('the version check (release/cli.ts check), as the release workflow runs it', () => {
  test(`the tag v${version} agrees with client/package.json and the built layer: it passes (--dry-run: the changelog may say Unreleased)`, () => {
    const run = release('check', '--tag', `v${version}`, '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`v${version}: client/package.json, the layer's layerVersion and its client copy are ${version}`);
    expect(run.status).toBe(0);
  });

  test('a tag of another version fails, naming client/package.json, the layer\'s layerVersion and its client copy', () => {
    const run = release('check', '--tag', 'v9.9.9', '--dry-run');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`client/package.json \`version\` is "${version}", the tag v9.9.9 says 9.9.9`);
    expect(run.stderr).toContain(`the layer extension's \`layerVersion\` is "${version}", the tag v9.9.9 says 9.9.9`);
    expect(run.stderr).toContain(`the layer's copy of the client (nodejs/node_modules/lambda-after-response/package.json) is "${version}"`);
  });

  test('a tag that is not v + semver fails naming it; a missing --tag names the option', () => {
    expect(release('check', '--tag', version, '--dry-run')).toMatchObject({ status: 1, stderr: expect.stringContaining(`got "${version}"`) as unknown });
    expect(release('check')).toMatchObject({ status: 1, stderr: expect.stringContaining('check needs --tag') as unknown });
  });
});

describe('the layer zip (dist/after-response-layer.zip)', () => {
  const entries = readZip(readFileSync(zipPath));

  test('fit to publish: the files Lambda needs, no native code but the malloc-trim addon for each architecture (both architectures are honest), fixed timestamps and modes, sorted', () => {
    expect(layerZipProblems(entries)).toEqual([]);
    expect(entries.filter((e) => e.mode === 0o100755).map((e) => e.name)).toEqual(['after-response', 'bin/after-response-hold']);
  });

  test("its extension publishes layerVersion = client/package.json's version, and so does its client copy", () => {
    expect(layerVersionOf(entries)).toBe(version);
    expect(layerClientVersion(entries)).toBe(version);
  });

  test('its client is the npm package, file for file and byte for byte, but the test kit (it runs in users\' tests, never on Lambda) and the split main entry', () => {
    const prefix = 'nodejs/node_modules/lambda-after-response/';
    const inLayer = entries.filter((e) => e.name.startsWith(prefix));
    // Every file, subfolders (tasks/) included; lambda-after-response/testing stays out of the layer (build.sh).
    const kit = /^testing(-types)?\.(mjs|cjs|d\.ts|d\.cts)$/;
    const files = readdirSync(pkgDir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(pkgDir, f)).isFile() && !kit.test(f));
    expect(files.length).toBeGreaterThan(10);
    // The main entry is built split in the layer (its parts beside it, required at first need: test/checks/layer-client.test.ts).
    const parts = ['fallback.cjs', 'tasks.cjs'];
    expect(inLayer.map((e) => e.name.slice(prefix.length)).sort()).toEqual([...files, ...parts].sort());
    const split = new Set(['index.mjs', 'index.cjs', ...parts]);
    for (const e of inLayer.filter((entry) => !split.has(entry.name.slice(prefix.length)))) expect(e.data.equals(readFileSync(join(pkgDir, e.name.slice(prefix.length)))), e.name).toBe(true);
  });

  test('a zip with other native code, an addon missing or built for another machine, a moved timestamp, a lost exec bit or an unexpected dependency is refused, entry by entry', () => {
    const dir = temp('lar-zip-');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]);
    const arm64 = entries.find((e) => e.name === 'lambda-after-response/malloc-trim-arm64.node');
    if (arm64 === undefined) throw new Error('the built layer zip lacks lambda-after-response/malloc-trim-arm64.node');
    const broken = entries
      .filter((e) => e !== arm64)
      .map((e) => (e.name === 'lambda-after-response/malloc-trim-x64.node' ? { ...e, data: arm64.data } : e))
      .map((e) => (e.name === 'after-response' ? { ...e, mode: 0o100644 } : e.name === 'lambda-after-response/extension.mjs' ? { ...e, modified: '2026-12-06 10:00:00' } : e));
    broken.push({ name: 'nodejs/node_modules/lambda-after-response/rapid.node', mode: 0o100644, modified: '1980-01-01 00:00:00', data: elf });
    broken.push({ name: 'nodejs/node_modules/left-pad/index.js', mode: 0o100644, modified: '1980-01-01 00:00:00', data: Buffer.from('') });
    writeZip(broken.sort((a, b) => (a.name < b.name ? -1 : 1)), join(dir, 'broken.zip'));
    expect(layerZipProblems(readZip(readFileSync(join(dir, 'broken.zip'))))).toEqual([
      'the layer zip lacks lambda-after-response/malloc-trim-arm64.node',
      'after-response: mode 100644, expected 100755',
      'lambda-after-response/extension.mjs: timestamp 2026-12-06 10:00:00, not the fixed 1980-01-01 00:00:00',
      'lambda-after-response/malloc-trim-x64.node: built for arm64, its name says x64',
      'nodejs/node_modules/lambda-after-response/rapid.node: native code, built for one architecture (the layer declares x86_64 and arm64)',
      'nodejs/node_modules/left-pad/index.js: a dependency other than the client (the layer ships none)',
    ]);
  });

  // Asynchronous builds (one after the other): a synchronous one would block the worker's RPC with vitest.
  test('is byte-identical when built twice from two copies of the sources (other paths, other file times)', async () => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
    const zips: Buffer[] = [];
    for (const [i, name] of ['a', 'b'].entries()) {
      const copy = join(temp(`lar-build-${name}-`), 'src');
      for (const f of files) {
        mkdirSync(dirname(join(copy, f)), { recursive: true });
        cpSync(join(root, f), join(copy, f));
        utimesSync(join(copy, f), new Date(2020 + i, i, 1), new Date(2020 + i, i, 1));
      }
      symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
      await promisify(execFile)('bash', ['build.sh'], { cwd: copy });
      zips.push(readFileSync(join(copy, 'dist', 'after-response-layer.zip')));
    }
    expect(zips[0]?.length).toBeGreaterThan(10_000);
    expect(zips[0]?.equals(zips[1] ?? Buffer.alloc(0))).toBe(true);
  }, 240_000);
});

describe('the npm package as the release packs and publishes it', () => {
  test('stamped with the repository, packed, then `npm publish --dry-run --provenance` accepts it', () => {
    const dir = temp('lar-publish-');
    cpSync(pkgDir, join(dir, 'package'), { recursive: true });
    const stamp = release('stamp-repository', '--package', join(dir, 'package'), '--repository', 'octo-org/lambda-after-response');
    expect(stamp.status, stamp.stderr).toBe(0);
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, join(dir, 'package')], { encoding: 'utf8' }).trim();
    expect(name).toBe(`lambda-after-response-${version}.tgz`);
    const run = spawnSync('npm', ['publish', '--dry-run', '--provenance', '--access', 'public', '--json', join(dir, name)], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, { id: string; files: { path: string }[] }>;
    const published = report['lambda-after-response'] ?? Object.values(report)[0];
    expect(published?.id).toBe(`lambda-after-response@${version}`);
    expect(published?.files.map((f) => f.path)).toEqual(expect.arrayContaining(['package.json', 'index.mjs', 'index.cjs', 'index.d.ts', 'index.d.cts', 'LICENSE']));
    const manifest = JSON.parse(execFileSync('tar', ['xzfO', join(dir, name), 'package/package.json'], { encoding: 'utf8' })) as { repository: unknown };
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/octo-org/lambda-after-response.git', directory: 'client' });
  });
});

describe('the Layer ARNs page from sample publish-layer-version outputs (test/fixtures/release)', () => {
  test('layer-release checks the outputs against the zip, layer-arns renders the page, notes the release notes', () => {
    const dir = temp('lar-arns-');
    const zip = join(fixtures, 'sample-layer.zip');
    const made = release('layer-release', '--outputs', join(fixtures, 'publish-outputs'), '--zip', zip, '--version', '1.2.0', '--layer-name', 'lambda-after-response', '--out', join(dir, 'release.json'));
    expect(made.stderr).toBe('');
    expect(made.stdout).toContain('lambda-after-response 1.2.0: 2 region(s): eu-west-1, us-east-1');
    const page = join(dir, 'layer-arns.md');
    expect(release('layer-arns', '--release', join(dir, 'release.json'), '--record', join(dir, 'layer-arns.json'), '--page', page).status).toBe(0);
    expect(readFileSync(page, 'utf8')).toContain('| eu-west-1 | `arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response:3` |');
    expect(readFileSync(page, 'utf8')).toBe(renderLayerArnsPage(parseRecord(JSON.parse(readFileSync(join(dir, 'layer-arns.json'), 'utf8')))));
    writeFileSync(join(dir, 'SHA256SUMS'), release('sha256', zip).stdout);
    writeFileSync(join(dir, 'changelog.md'), '### Added\n\n- the sample\n');
    const notes = release('notes', '--changelog', join(dir, 'changelog.md'), '--sums', join(dir, 'SHA256SUMS'), '--release', join(dir, 'release.json'));
    expect(notes.stdout).toContain('cc1e8f68c07cfb1402c3128c1890a8ece818d5d9931934f747e12e4d77170d9c  sample-layer.zip');
    expect(notes.stdout).toContain('| us-east-1 | `arn:aws:lambda:us-east-1:123456789012:layer:lambda-after-response:7` |');
  });

  test('outputs for another zip fail layer-release, naming the region', () => {
    const run = release('layer-release', '--outputs', join(fixtures, 'publish-outputs'), '--zip', zipPath, '--version', '1.2.0', '--layer-name', 'lambda-after-response', '--out', join(temp('lar-arns-'), 'x.json'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('eu-west-1 (eu-west-1.json): `Content.CodeSha256` is "zB6PaMB8+xQCwxKMGJCo7OgY1dmTGTT3R+EuTXcXDZw="');
  });

  test('the committed docs/layer-arns.md is the rendering of docs/layer-arns.json; the regions file parses', () => {
    const record = parseRecord(JSON.parse(readFileSync(join(root, 'docs', 'layer-arns.json'), 'utf8')));
    expect(record.layerName).toBe('lambda-after-response');
    expect(readFileSync(join(root, 'docs', 'layer-arns.md'), 'utf8')).toBe(renderLayerArnsPage(record));
    const regions = release('regions', '--file', join(root, 'release', 'layer-regions.txt'));
    expect(regions.status, regions.stderr).toBe(0);
    expect(regions.stdout.trim().split('\n')).toContain('us-east-1');
  });
});
