// The release steps that talk to AWS, npm and GitHub, run offline against stand-ins on PATH: a fake
// `aws` keeping layer versions in a state file (release/cli.ts publish-layer, twice: the second run
// reuses), a fake `npm` (release/npm-publish.sh: published already, trusted publishing, the first
// release's bootstrap token, no token), a fake `gh` (release/github-release.sh: create, then edit on
// a rerun) and real git with a bare origin (release/layer-arns-pr.sh pushes a branch, opens one PR).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'release');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'lar-release-'));
  temps.push(dir);
  return dir;
};

/** Writes an executable stand-in `name` into `dir` that records its argv (one JSON line per call) in `dir/calls.log`. */
function standIn(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(join(dir, 'calls.log'))}, JSON.stringify([${JSON.stringify(name)}, ...args]) + '\\n');
const out = (v) => process.stdout.write(typeof v === 'string' ? v : JSON.stringify(v));
${body}
`);
  chmodSync(join(dir, name), 0o755);
}
const calls = (dir: string): string[][] => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]) : []);
const env = (bin: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ...extra });

describe('publish-layer through the AWS CLI (a stand-in keeping layer versions in a file)', () => {
  const awsBody = (state: string): string => `
const state = fs.existsSync(${JSON.stringify(state)}) ? JSON.parse(fs.readFileSync(${JSON.stringify(state)}, 'utf8')) : {};
const opt = (n) => args[args.indexOf(n) + 1];
const region = opt('--region');
const versions = (state[region] ??= []);
const arn = (v) => 'arn:aws:lambda:' + region + ':123456789012:layer:' + opt('--layer-name') + ':' + v;
const found = versions.find((v) => v.Version === Number(opt('--version-number')));
const save = () => fs.writeFileSync(${JSON.stringify(state)}, JSON.stringify(state));
const full = (v) => ({ LayerVersionArn: arn(v.Version), Version: v.Version, Description: v.Description, Content: { CodeSha256: v.CodeSha256 },
  CreatedDate: '2027-01-15T10:00:00.000+0000', CompatibleRuntimes: v.Runtimes, CompatibleArchitectures: v.Architectures, LicenseInfo: 'Apache-2.0' });
const list = (flag) => args.slice(args.indexOf(flag) + 1, args.findIndex((a, i) => i > args.indexOf(flag) && a.startsWith('--')));
switch (args[1]) {
  case 'list-layer-versions': out({ LayerVersions: versions.map(full) }); break;
  case 'get-layer-version': out(full(found)); break;
  case 'publish-layer-version': {
    const zip = fs.readFileSync(opt('--zip-file').replace('fileb://', ''));
    const v = { Version: versions.length + 1, Description: opt('--description'), CodeSha256: require('node:crypto').createHash('sha256').update(zip).digest('base64'),
      Runtimes: list('--compatible-runtimes'), Architectures: list('--compatible-architectures'), Policy: [] };
    versions.push(v); save(); out(full(v)); break;
  }
  case 'add-layer-version-permission':
    if (found.Policy.length > 0) { process.stderr.write('An error occurred (ResourceConflictException)'); process.exit(254); }
    found.Policy.push({ Sid: opt('--statement-id'), Effect: 'Allow', Principal: opt('--principal'), Action: opt('--action') }); save(); out({}); break;
  case 'get-layer-version-policy': out({ Policy: JSON.stringify({ Statement: found.Policy }) }); break;
  default: process.stderr.write('unexpected ' + args.join(' ')); process.exit(252);
}`;

  test('publishes in each region, makes each public, writes one JSON per region; run again, it reuses them; layer-release accepts the outputs', () => {
    const bin = temp();
    const work = temp();
    standIn(bin, 'aws', awsBody(join(bin, 'state.json')));
    writeFileSync(join(work, 'regions.txt'), 'us-east-1\neu-west-1\n');
    const zip = join(fixtures, 'sample-layer.zip');
    const publish = (): ReturnType<typeof spawnSync> => spawnSync(join(root, 'node_modules', '.bin', 'vite-node'), [join(root, 'release', 'cli.ts'), '--', 'publish-layer', '--zip', zip,
      '--version', '1.2.0', '--layer-name', 'lambda-after-response', '--regions-file', join(work, 'regions.txt'), '--out', join(work, 'outputs')], { cwd: root, encoding: 'utf8', env: env(bin) });
    const first = publish();
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('us-east-1: published "arn:aws:lambda:us-east-1:123456789012:layer:lambda-after-response:1"');
    expect(first.stdout).toContain('eu-west-1: lambda-after-response version 1 is public (lambda:GetLayerVersion for *)');
    expect(readdirSync(join(work, 'outputs')).sort()).toEqual(['eu-west-1.json', 'us-east-1.json']);
    const second = publish();
    expect(second.status, String(second.stderr)).toBe(0);
    expect(second.stdout).toContain('us-east-1: lambda-after-response 1.2.0 is already version 1 (same zip): reused');
    expect(calls(bin).filter((c) => c[2] === 'publish-layer-version')).toHaveLength(2);
    const checked = spawnSync(join(root, 'node_modules', '.bin', 'vite-node'), [join(root, 'release', 'cli.ts'), '--', 'layer-release', '--outputs', join(work, 'outputs'),
      '--zip', zip, '--version', '1.2.0', '--layer-name', 'lambda-after-response', '--out', join(work, 'release.json')], { cwd: root, encoding: 'utf8' });
    expect(checked.stderr).toBe('');
    expect(JSON.parse(readFileSync(join(work, 'release.json'), 'utf8'))).toMatchObject({ version: '1.2.0', arns: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] });
  });
});

describe('release/npm-publish.sh (a stand-in npm)', () => {
  /** Runs the script with an npm stand-in: `registry` is what the registry has (null: no such package). */
  function npmPublish(registry: string[] | null, extra: Record<string, string> = {}, npmVersion = '11.6.2'): { status: number | null; out: string; calls: string[][] } {
    const bin = temp();
    standIn(bin, 'npm', `
const registry = ${JSON.stringify(registry)};
if (args[0] === '--version') out('${npmVersion}\\n');
else if (args[0] === 'view' && registry === null) { process.stderr.write('npm error code E404\\nnpm error 404 Not Found'); process.exit(1); }
else if (args[0] === 'view' && args[1].includes('@')) { if (registry.includes(args[1].split('@')[1])) out(args[1].split('@')[1] + '\\n'); }
else if (args[0] === 'view') out('lambda-after-response\\n');
else if (args[0] === 'publish') { const i = args.indexOf('--userconfig'); if (i > 0) fs.appendFileSync(${JSON.stringify(join(bin, 'calls.log'))}, JSON.stringify(['userconfig', fs.readFileSync(args[i + 1], 'utf8')]) + '\\n'); out('+ lambda-after-response\\n'); }`);
    writeFileSync(join(bin, 'pkg.tgz'), 'tarball');
    const run = spawnSync('bash', [join(root, 'release', 'npm-publish.sh'), join(bin, 'pkg.tgz'), '1.2.0', 'latest'], { encoding: 'utf8', env: env(bin, extra) });
    return { status: run.status, out: run.stdout + run.stderr, calls: calls(bin).filter((c) => c[0] !== 'npm' || c[1] === 'publish') };
  }

  test('an existing package: published with provenance, public, with the dist-tag, and no token', () => {
    const run = npmPublish(['1.1.0'], { NPM_BOOTSTRAP_TOKEN: 'npm_secret' });
    expect(run.status, run.out).toBe(0);
    expect(run.calls).toEqual([['npm', 'publish', '--provenance', '--access', 'public', '--tag', 'latest', expect.stringMatching(/pkg\.tgz$/)]]);
  });

  test('the version on npm already (a rerun): nothing is published', () => {
    const run = npmPublish(['1.1.0', '1.2.0']);
    expect(run).toMatchObject({ status: 0, calls: [] });
    expect(run.out).toContain('lambda-after-response@1.2.0 is on npm already: nothing to publish');
  });

  test('no such package yet: the bootstrap token publishes the first release (read from the environment, never written out); without it, the set-up step is named', () => {
    const withToken = npmPublish(null, { NPM_BOOTSTRAP_TOKEN: 'npm_secret' });
    expect(withToken.status, withToken.out).toBe(0);
    expect(withToken.calls).toEqual([
      ['npm', 'publish', '--provenance', '--access', 'public', '--tag', 'latest', '--userconfig', expect.any(String), expect.stringMatching(/pkg\.tgz$/)],
      ['userconfig', '//registry.npmjs.org/:_authToken=${NPM_BOOTSTRAP_TOKEN}\n'],
    ]);
    expect(withToken.out).toContain('now add the trusted publisher on npmjs.com and delete NPM_BOOTSTRAP_TOKEN');
    const without = npmPublish(null);
    expect(without.status).toBe(1);
    expect(without.calls).toEqual([]);
    expect(without.out).toContain('set the NPM_BOOTSTRAP_TOKEN secret for this first release (docs/releasing.md, "The first release")');
  });

  test('an npm too old for trusted publishing is refused before anything else', () => {
    const run = npmPublish(['1.1.0'], {}, '10.9.2');
    expect(run).toMatchObject({ status: 1, calls: [] });
    expect(run.out).toContain('npm 10.9.2 cannot publish through trusted publishing (OIDC); it needs npm >= 11.5.1');
  });
});

describe('release/github-release.sh and release/layer-arns-pr.sh (a stand-in gh; real git)', () => {
  test('creates the release with its files; on a rerun edits its notes and replaces the files', () => {
    const bin = temp();
    standIn(bin, 'gh', `if (args[0] === 'release' && args[1] === 'view') process.exit(fs.existsSync(${JSON.stringify(join(bin, 'created'))}) ? 0 : 1);
if (args[1] === 'create') fs.writeFileSync(${JSON.stringify(join(bin, 'created'))}, '');`);
    const run = (): string => execFileSync('bash', [join(root, 'release', 'github-release.sh'), 'v1.2.0-rc.1', 'notes.md', 'true', 'a.zip', 'SHA256SUMS'], { encoding: 'utf8', env: env(bin) });
    expect(run()).toContain('created v1.2.0-rc.1');
    expect(run()).toContain('updated v1.2.0-rc.1');
    expect(calls(bin).filter((c) => c[2] !== 'view')).toEqual([
      ['gh', 'release', 'create', 'v1.2.0-rc.1', '--verify-tag', '--title', 'lambda-after-response 1.2.0-rc.1', '--notes-file', 'notes.md', '--prerelease', 'a.zip', 'SHA256SUMS'],
      ['gh', 'release', 'edit', 'v1.2.0-rc.1', '--notes-file', 'notes.md', '--prerelease'],
      ['gh', 'release', 'upload', 'v1.2.0-rc.1', '--clobber', 'a.zip', 'SHA256SUMS'],
    ]);
  });

  test('pushes the regenerated page on release/layer-arns-<version> and opens one pull request; unchanged files open none', () => {
    const bin = temp();
    const origin = join(temp(), 'origin.git');
    const clone = join(temp(), 'clone');
    standIn(bin, 'gh', `if (args[0] === 'pr' && args[1] === 'list') out(fs.existsSync(${JSON.stringify(join(bin, 'pr'))}) ? '7\\n' : '');
if (args[0] === 'pr' && args[1] === 'create') fs.writeFileSync(${JSON.stringify(join(bin, 'pr'))}, '');`);
    const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
    execFileSync('git', ['clone', '--quiet', origin, clone]);
    execFileSync('mkdir', ['-p', join(clone, 'docs')]);
    writeFileSync(join(clone, 'docs', 'layer-arns.json'), '{}\n');
    writeFileSync(join(clone, 'docs', 'layer-arns.md'), '# Layer ARNs\n');
    git(clone, 'add', '.');
    git(clone, 'commit', '--quiet', '-m', 'base');
    git(clone, 'push', '--quiet', 'origin', 'HEAD:main');
    const pr = (): string => execFileSync('bash', [join(root, 'release', 'layer-arns-pr.sh'), '1.2.0', 'main'], { cwd: clone, encoding: 'utf8', env: env(bin) });
    expect(pr()).toContain('unchanged on main: no pull request');
    writeFileSync(join(clone, 'docs', 'layer-arns.md'), '# Layer ARNs\n\n## 1.2.0 (latest)\n');
    pr();
    expect(git(origin, 'log', '--format=%s', 'release/layer-arns-1.2.0')).toBe('Layer ARNs: lambda-after-response 1.2.0\nbase\n');
    expect(git(origin, 'show', 'release/layer-arns-1.2.0:docs/layer-arns.md')).toContain('## 1.2.0 (latest)');
    git(clone, 'switch', '--quiet', 'main');
    writeFileSync(join(clone, 'docs', 'layer-arns.md'), '# Layer ARNs\n\n## 1.2.0 (latest)\n\nagain\n');
    expect(pr()).toContain('the pull request from release/layer-arns-1.2.0 is open already; its branch is updated');
    expect(calls(bin).filter((c) => c[2] === 'create')).toEqual([['gh', 'pr', 'create', '--head', 'release/layer-arns-1.2.0', '--base', 'main', '--title', 'Layer ARNs: lambda-after-response 1.2.0', '--body', expect.any(String)]]);
  });
});
