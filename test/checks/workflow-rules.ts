// What the workflows must keep doing, beyond what actionlint checks: third-party actions pinned by
// commit SHA; only known release/cli.ts commands and existing release/*.sh scripts; the release
// publishing with OIDC only (no stored npm or AWS keys), only after the tests and the build; CI
// running exactly .ci/run with the rig's tool cache. Used by test/checks/workflows.test.ts on the
// real workflows (no problem) and on broken copies (each problem named).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMMAND_NAMES } from '../../release/cli-options.ts';

type Tree = Record<string, unknown>;
const obj = (v: unknown): Tree => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Tree) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const steps = (job: unknown): Tree[] => list(obj(job).steps).map(obj);

/** Problems common to every workflow file: pins, release commands and scripts. */
export function commonProblems(file: string, text: string, root: string): string[] {
  const problems: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const uses = /^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/.exec(line);
    if (uses && !uses[1]?.startsWith('./') && !/@[0-9a-f]{40}$/.test(uses[1] ?? '')) problems.push(`${file}:${i + 1}: ${uses[1] ?? ''} is not pinned by a full commit SHA`);
    if (uses && !uses[1]?.startsWith('./') && !/#\s*v\d/.test(uses[2] ?? '')) problems.push(`${file}:${i + 1}: ${uses[1] ?? ''} has no \`# vX.Y.Z\` comment naming the pinned tag`);
  }
  for (const m of text.matchAll(/release\/cli\.ts -- ([a-z0-9-]+)/g)) {
    if (!(COMMAND_NAMES as readonly string[]).includes(m[1] ?? '')) problems.push(`${file}: release/cli.ts has no command ${JSON.stringify(m[1])}`);
  }
  for (const m of text.matchAll(/\b(release\/[a-z0-9-]+\.(?:sh|txt))\b/g)) {
    if (!existsSync(join(root, m[1] ?? ''))) problems.push(`${file}: ${m[1] ?? ''} does not exist`);
  }
  return problems;
}

/** release.yml: tag trigger, no default permissions, OIDC only where publishing, publishing only after test and build. */
export function releaseProblems(text: string): string[] {
  const wf = obj(parse(text));
  const problems: string[] = [];
  if (!list(obj(obj(wf.on).push).tags).includes('v*')) problems.push('release.yml: not triggered by pushing a `v*` tag');
  if (JSON.stringify(wf.permissions) !== '{}') problems.push('release.yml: the workflow-level permissions are not `{}` (each job asks for its own)');
  const jobs = obj(wf.jobs);
  const oidc = Object.keys(jobs).filter((name) => obj(obj(jobs[name]).permissions)['id-token'] === 'write');
  if (JSON.stringify(oidc.sort()) !== JSON.stringify(['layer', 'npm'])) problems.push(`release.yml: the jobs with id-token: write are ${oidc.join(', ') || 'none'}, expected layer and npm`);
  for (const name of oidc) {
    const needs = list(obj(jobs[name]).needs);
    if (!needs.includes('test') || !needs.includes('build')) problems.push(`release.yml: job ${name} publishes without needing test and build (needs: ${needs.join(', ')})`);
  }
  if (obj(jobs.test).uses !== './.github/workflows/ci.yml') problems.push('release.yml: job test does not call ci.yml');
  for (const m of text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)) if (m[1] !== 'NPM_BOOTSTRAP_TOKEN') problems.push(`release.yml: uses secret ${m[1] ?? ''} (publishing is over OIDC; only the first release's NPM_BOOTSTRAP_TOKEN is allowed)`);
  if (/aws-access-key-id|aws-secret-access-key|NODE_AUTH_TOKEN|NPM_TOKEN\b/.test(text)) problems.push('release.yml: a long-lived credential (AWS keys, NODE_AUTH_TOKEN or NPM_TOKEN)');
  const aws = steps(jobs.layer).find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
  if (typeof obj(aws?.with)['role-to-assume'] !== 'string') problems.push('release.yml: job layer does not assume a role with aws-actions/configure-aws-credentials (role-to-assume)');
  if (!steps(jobs.npm).some((s) => /release\/npm-publish\.sh/.test(String(s.run)))) problems.push('release.yml: job npm does not publish through release/npm-publish.sh');
  return problems;
}

/** ci.yml: push + pull_request + workflow_call; exactly .ci/run as root; the rig's cache keyed by versions.env; the bench smoke's files uploaded. */
export function ciProblems(text: string): string[] {
  const wf = obj(parse(text));
  const problems: string[] = [];
  for (const trigger of ['push', 'pull_request', 'workflow_call']) if (!(trigger in obj(wf.on))) problems.push(`ci.yml: not triggered by ${trigger}`);
  const all = Object.values(obj(wf.jobs)).flatMap(steps);
  const runs = all.map((s) => String(s.run ?? '')).filter((r) => /bash \.ci\/run\b/.test(r));
  if (runs.length !== 1 || !/sudo -E\b/.test(runs[0] ?? '') || !/bash \.ci\/run\b/.test(runs[0] ?? '')) problems.push('ci.yml: no single step runs `sudo -E … bash .ci/run`');
  const cache = all.find((s) => String(s.uses).startsWith('actions/cache@'));
  if (obj(cache?.with).path !== '~/.cache/lambda-after-response' || !String(obj(cache?.with).key).includes("hashFiles('test/rig/versions.env')")) {
    problems.push("ci.yml: the rig's tool cache (~/.cache/lambda-after-response) is not restored keyed by hashFiles('test/rig/versions.env')");
  }
  const upload = all.find((s) => String(s.uses).startsWith('actions/upload-artifact@'));
  if (!String(obj(upload?.with).path).includes('bench-smoke') || upload?.if !== 'always()') problems.push("ci.yml: the bench smoke's results are not uploaded (always)");
  if (runs.length === 1 && !/BENCH_SMOKE_RESULTS_DIR=\$RUNNER_TEMP\/bench-smoke/.test(runs[0] ?? '')) problems.push('ci.yml: .ci/run is not given BENCH_SMOKE_RESULTS_DIR=$RUNNER_TEMP/bench-smoke');
  return problems;
}
