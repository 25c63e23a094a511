// The docs pages name the version they describe (release/docs-version.ts), and that version is
// client/package.json's; `release/cli.ts set-version` moves both at once (run on a copy here).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { docsVersionLine, docsVersionOf, GENERATED_PAGES, withDocsVersion } from '../../release/docs-version.ts';

const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'client', 'package.json'), 'utf8')) as { version: string }).version;
const pages = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort();
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the docs pages name the release they describe', () => {
  test.each(pages.filter((p) => !GENERATED_PAGES.has(p)))(`docs/%s says "${docsVersionLine(version)}" near its top`, (page) => {
    expect(docsVersionOf(readFileSync(join(root, 'docs', page), 'utf8'))).toBe(version);
  });

  test('the version line is found only near the top, and rewritten in place', () => {
    expect(docsVersionOf('# T\n\nThis page describes lambda-after-response 1.2.3.\n')).toBe('1.2.3');
    expect(docsVersionOf('# T\n\n\n\n\n\nThis page describes lambda-after-response 1.2.3.\n')).toBeUndefined();
    expect(docsVersionOf('# T\n\nThis page describes lambda-after-response.\n')).toBeUndefined();
    expect(withDocsVersion('# T\n\nThis page describes lambda-after-response 1.2.3.\n\nbody 1.2.3\n', '2.0.0')).toBe('# T\n\nThis page describes lambda-after-response 2.0.0.\n\nbody 1.2.3\n');
    expect(withDocsVersion('# T\n\nno line\n', '2.0.0')).toBe('# T\n\nno line\n');
  });

  test('set-version writes the version into client/package.json (formatting kept) and every page\'s line, and names a page without one', () => {
    const copy = mkdtempSync(join(tmpdir(), 'lar-set-version-'));
    temps.push(copy);
    for (const dir of ['release', 'docs']) cpSync(join(root, dir), join(copy, dir), { recursive: true });
    mkdirSync(join(copy, 'client'));
    cpSync(join(root, 'client', 'package.json'), join(copy, 'client', 'package.json'));
    cpSync(join(root, 'docs', 'layer-arns.md'), join(copy, 'docs', 'no-line.md'));
    const run = spawnSync(join(root, 'node_modules', '.bin', 'vite-node'), [join(copy, 'release', 'cli.ts'), '--', 'set-version', '--version', '7.8.9-rc.1'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('docs/no-line.md: no "This page describes lambda-after-response X.Y.Z." line in its first lines: add one');
    expect(readFileSync(join(copy, 'client', 'package.json'), 'utf8')).toBe(readFileSync(join(root, 'client', 'package.json'), 'utf8').replace(`"version": "${version}"`, '"version": "7.8.9-rc.1"'));
    for (const page of pages.filter((p) => !GENERATED_PAGES.has(p))) expect(docsVersionOf(readFileSync(join(copy, 'docs', page), 'utf8')), page).toBe('7.8.9-rc.1');
    expect(readFileSync(join(copy, 'docs', 'layer-arns.md'), 'utf8')).toBe(readFileSync(join(root, 'docs', 'layer-arns.md'), 'utf8'));
    const bad = spawnSync(join(root, 'node_modules', '.bin', 'vite-node'), [join(copy, 'release', 'cli.ts'), '--', 'set-version', '--version', 'v1.0'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Expected a semver version (e.g. 1.2.3 or 1.2.3-rc.1), got "v1.0"');
  });
});
