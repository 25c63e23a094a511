// The GitHub Actions workflows: actionlint (with shellcheck on every `run:` block) finds nothing in
// them and does find the faults of a deliberately broken one; the release scripts pass shellcheck;
// and the rules in workflow-rules.ts hold for the real workflows and fail, by name, for broken copies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { workflowTools } from '../rig/tools.ts';
import { ciProblems, commonProblems, releaseProblems } from './workflow-rules.ts';

const root = join(import.meta.dirname, '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (file: string): string => readFileSync(join(workflowsDir, file), 'utf8');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Finding { message: string; kind: string; line: number }
/** actionlint's findings (JSON) for the given files, and its exit status. */
function actionlint(files: string[], cwd: string): { findings: Finding[]; status: number | null; stderr: string } {
  const { actionlint: bin, shellcheck } = workflowTools();
  const run = spawnSync(bin, ['-shellcheck', shellcheck, '-format', '{{json .}}', ...files], { cwd, encoding: 'utf8' });
  return { findings: run.stdout.trim() === '' ? [] : (JSON.parse(run.stdout) as Finding[]), status: run.status, stderr: run.stderr };
}

describe('the workflows under actionlint and shellcheck', () => {
  test('there are the CI and the release workflow', () => {
    expect(workflows).toEqual(['ci.yml', 'release.yml']);
  });

  test('actionlint (shellcheck on every run: block) finds nothing in any workflow', () => {
    const { findings, status, stderr } = actionlint(workflows.map((f) => join(workflowsDir, f)), root);
    expect(findings.map((f) => `${f.line}: [${f.kind}] ${f.message}`)).toEqual([]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  test('a broken workflow fails actionlint: script injection, a shellcheck finding, an unknown step, a job needing a missing job', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lar-actionlint-'));
    temps.push(dir);
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    const file = join(dir, '.github', 'workflows', 'broken.yml');
    writeFileSync(file, `name: broken
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ github.event.head_commit.message }}"
      - run: ls $RUNNER_TEMP/*.log
      - run: echo "\${{ steps.nope.outputs.x }}"
  publish:
    needs: [bulid]
    runs-on: ubuntu-24.04
    steps:
      - run: "true"
`);
    const { findings, status } = actionlint([file], dir);
    expect(status).toBe(1);
    const seen = findings.map((f) => `${f.line} ${f.kind}: ${f.message}`);
    expect(seen).toEqual(expect.arrayContaining([
      expect.stringMatching(/^7 expression: "github\.event\.head_commit\.message" is potentially untrusted/),
      expect.stringMatching(/^8 shellcheck: shellcheck reported issue in this script: SC2086:/),
      expect.stringMatching(/^9 expression: property "nope" is not defined/),
      expect.stringMatching(/^10 job-needs: job "publish" needs job "bulid" which does not exist/),
    ]));
  });

  test('shellcheck finds nothing in the release scripts (release/*.sh)', () => {
    const scripts = readdirSync(join(root, 'release')).filter((f) => f.endsWith('.sh')).map((f) => join('release', f));
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const run = spawnSync(workflowTools().shellcheck, scripts, { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('the workflow rules (workflow-rules.ts)', () => {
  test('hold for ci.yml and release.yml', () => {
    expect(workflows.flatMap((f) => commonProblems(f, read(f), root))).toEqual([]);
    expect(releaseProblems(read('release.yml'))).toEqual([]);
    expect(ciProblems(read('ci.yml'))).toEqual([]);
  });

  test('the bench smoke test reads the directory CI uploads', () => {
    expect(readFileSync(join(root, 'test', 'integration', 'bench-smoke.test.ts'), 'utf8')).toContain('process.env.BENCH_SMOKE_RESULTS_DIR');
  });

  test('a release.yml that publishes before the tests, with a stored key, an unpinned action and an unknown command: each named', () => {
    const broken = read('release.yml')
      .replace('needs: [test, build]', 'needs: [build]')
      .replace('role-to-assume: ${{ vars.AWS_RELEASE_ROLE_ARN }}', 'aws-access-key-id: ${{ secrets.AWS_KEY }}')
      .replace(/actions\/setup-node@[0-9a-f]{40} # v7\.0\.0/, 'actions/setup-node@v7')
      .replace('release/cli.ts -- check ', 'release/cli.ts -- verify ');
    expect(releaseProblems(broken)).toEqual([
      'release.yml: job npm publishes without needing test and build (needs: build)',
      'release.yml: uses secret AWS_KEY (publishing is over OIDC; only the first release\'s NPM_BOOTSTRAP_TOKEN is allowed)',
      'release.yml: a long-lived credential (AWS keys, NODE_AUTH_TOKEN or NPM_TOKEN)',
      'release.yml: job layer does not assume a role with aws-actions/configure-aws-credentials (role-to-assume)',
    ]);
    expect(commonProblems('release.yml', broken, root)).toEqual([
      expect.stringMatching(/^release\.yml:\d+: actions\/setup-node@v7 is not pinned by a full commit SHA$/),
      expect.stringMatching(/^release\.yml:\d+: actions\/setup-node@v7 has no `# vX\.Y\.Z` comment/),
      'release.yml: release/cli.ts has no command "verify"',
    ]);
  });

  test('a ci.yml that runs npm test itself without the cache key or the upload: each named', () => {
    const broken = read('ci.yml')
      .replace(/bash \.ci\/run/, 'npm test')
      .replace("hashFiles('test/rig/versions.env')", "hashFiles('package-lock.json')")
      .replace('uses: actions/upload-artifact@', 'uses: actions/upload-nothing@');
    expect(ciProblems(broken)).toEqual([
      'ci.yml: no single step runs `sudo -E … bash .ci/run`',
      "ci.yml: the rig's tool cache (~/.cache/lambda-after-response) is not restored keyed by hashFiles('test/rig/versions.env')",
      "ci.yml: the bench smoke's results are not uploaded (always)",
    ]);
  });
});
