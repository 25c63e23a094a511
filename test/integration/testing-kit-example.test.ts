// examples/testing-kit as its users run it: the packed client package installed from its tarball
// into a copy of the project, its tests run with node:test and with jest (pinned, provisioned by
// provision.sh), ES modules and CommonJS, on the rig's Node 22 and Node 24.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cacheDir } from '../rig/tools.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const versions = Object.fromEntries(readFileSync(join(root, 'test/rig/versions.env'), 'utf8').split('\n').map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())).filter((m) => m !== null).map((m) => [m[1], m[2]]));
const jest = join(cacheDir(), `jest-${versions.JEST_VERSION ?? ''}`, 'node_modules', 'jest', 'bin', 'jest.js');
const nodes = { 'Node 22': versions.NODE22_VERSION, 'Node 24': versions.NODE24_VERSION };

let work = '';
let project = '';
beforeAll(() => {
  const pkg = join(root, 'dist', 'npm', 'lambda-after-response');
  if (!existsSync(join(pkg, 'testing.mjs'))) throw new Error(`${pkg} has no testing.mjs: run bash build.sh`);
  if (!existsSync(jest)) throw new Error(`jest is missing (${jest}): run test/rig/provision.sh`);
  work = mkdtempSync(join(tmpdir(), 'lar-kit-example-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work, pkg], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  project = join(work, 'testing-kit');
  cpSync(join(root, 'examples', 'testing-kit'), project, { recursive: true, filter: (path) => !path.includes('node_modules') });
  // As the docs say to install: the package from npm (here its tarball); jest comes from the provisioned cache.
  execFileSync('npm', ['install', '--no-save', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], { cwd: project, stdio: 'pipe' });
}, 120_000);
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function run(node: string, args: readonly string[]): { output: string; status: number | null } {
  const result = spawnSync(node, args, { cwd: project, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, NODE_OPTIONS: '' }, timeout: 120_000 });
  return { output: `${result.stdout}\n${result.stderr}`, status: result.status };
}

describe.each(Object.entries(nodes))('examples/testing-kit on %s', (_name, version) => {
  const node = join(cacheDir(), `node-${version ?? ''}`, 'bin', 'node');

  test('node:test, ESM and CommonJS: the broken handler is caught, the fixed one passes', () => {
    const { output, status } = run(node, ['--test', '--test-reporter=tap', 'test/node/handler.test.mjs', 'test/node/handler.test.cjs']);
    expect(output).toMatch(/^# pass 4$/m);
    expect(output).toMatch(/^# fail 0$/m);
    expect(status, output).toBe(0);
  });

  test('jest, ESM and CommonJS: the same', () => {
    const { output, status } = run(node, ['--experimental-vm-modules', jest, '--rootDir', project, '--ci']);
    expect(output).toMatch(/Tests:\s+4 passed, 4 total/);
    expect(status, output).toBe(0);
  });
});
