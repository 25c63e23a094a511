// Fidelity of the test kit: the same handlers (test/fixtures/app/kit-fidelity.mjs) run under the
// rig with the built layer (real runtime clients, freezing emulated) and through `invokeHandler`
// from the packed package on the same Node version, agree on each job's outcome and on what is
// left unheld. Prints the table for the record.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { profileTools } from '../rig/tools.ts';
import { APP_DIR, clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer, toEpoch } from './product-helpers.ts';

const CASES = ['held', 'failing', 'promise', 'abandoned', 'unheld'] as const;
type Case = (typeof CASES)[number];
const MARKS: Partial<Record<Case, string>> = { held: 'held-done', promise: 'promise-done', unheld: 'unheld-done' };
const JOBS: Record<Case, string | undefined> = { held: 'held-job', failing: 'failing-job', promise: 'promise-job', abandoned: 'endless-job', unheld: undefined };

interface Observed {
  /** The job's outcome, or `none` when the case enqueues none. */
  readonly outcome: string;
  /** Whether work was left that nothing held. */
  readonly unheld: boolean;
}

let kitDir = '';
beforeAll(() => {
  const pkg = join(import.meta.dirname, '..', '..', 'dist', 'npm', 'lambda-after-response');
  if (!existsSync(join(pkg, 'testing.mjs'))) throw new Error(`${pkg} has no testing.mjs: run bash build.sh`);
  // A user's copy of the fixture, the packed package beside it as an installed dependency.
  kitDir = mkdtempSync(join(tmpdir(), 'lar-kit-fidelity-'));
  mkdirSync(join(kitDir, 'node_modules'));
  symlinkSync(pkg, join(kitDir, 'node_modules', 'lambda-after-response'));
  for (const file of ['kit-fidelity.mjs', 'shared.mjs']) copyFileSync(join(APP_DIR, file), join(kitDir, file));
  writeFileSync(join(kitDir, 'run.mjs'), `import { invokeHandler } from 'lambda-after-response/testing';
import { handler } from './kit-fidelity.mjs';
const found = {};
for (const name of JSON.parse(process.argv[2])) {
  const result = await invokeHandler(handler, { case: name, dir: process.argv[3] }, { timeoutMs: 3000 });
  found[name] = { jobs: result.jobs.map(({ name, outcome }) => ({ name, outcome })), frozen: result.frozen.map(({ type }) => type) };
}
console.log(JSON.stringify(found));
process.exit(0); // the abandoned job's 60 s timer: frozen on Lambda, it would keep this process alive
`);
});
afterAll(() => {
  if (kitDir !== '') rmSync(kitDir, { recursive: true, force: true });
});

/** Through the kit, on the profile's Node. */
function throughKit(profile: (typeof PROFILES)[number]): Record<Case, Observed> {
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const out = execFileSync(node, ['run.mjs', JSON.stringify(CASES), mkdtempSync(join(tmpdir(), 'lar-kit-marks-'))], { cwd: kitDir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const found = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<Case, { jobs: Array<{ name: string; outcome: string }>; frozen: string[] }>;
  return Object.fromEntries(CASES.map((name) => [name, { outcome: found[name].jobs.find((job) => job.name === JOBS[name])?.outcome ?? 'none', unheld: found[name].frozen.length > 0 }])) as Record<Case, Observed>;
}

describe.each(PROFILES)('on %s, invokeHandler and the layer under the rig agree', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'kit-fidelity.handler', timeoutSeconds: 3 }));

  test('on each job\'s outcome and on what is left unheld', async () => {
    const box = await sandbox();
    const underRig = {} as Record<Case, Observed>;
    for (const name of CASES) {
      if (MARKS[name]) clearMarks(box, MARKS[name]);
      const result = await box.invoke({ case: name, dir: '/tmp' });
      const logs = extensionLogs(box.logs()).filter((line) => line.requestId === result.requestId);
      const summary = logs.find((line) => line.message === 'after-response summary');
      const outcome = JOBS[name] === undefined ? 'none' : Number(summary?.failed) > 0 ? 'failed' : Number(summary?.abandoned) > 0 ? 'abandoned' : Number(summary?.succeeded) > 0 ? 'succeeded' : 'unknown';
      // Unheld: a job abandoned at the deadline, or a side effect that had not happened when the release came (the runtime is frozen right after).
      const mark = MARKS[name] ? readMark(box, MARKS[name]) : undefined;
      const released = toEpoch(result.extensionReleasedAt ?? NaN);
      const abandoned = logs.some((line) => String(line.message).startsWith('abandoning unfinished jobs'));
      const unheld = abandoned || (MARKS[name] !== undefined && (mark === undefined || mark.at > released));
      underRig[name] = { outcome, unheld };
    }
    const kit = throughKit(profile);
    console.log(`${profile}: case | under the rig (outcome, unheld) | invokeHandler (outcome, unheld)\n${CASES.map((name) => `${name} | ${underRig[name].outcome}, ${underRig[name].unheld} | ${kit[name].outcome}, ${kit[name].unheld}`).join('\n')}`);
    expect(kit).toEqual(underRig);
    expect(underRig).toEqual({
      held: { outcome: 'succeeded', unheld: false }, failing: { outcome: 'failed', unheld: false }, promise: { outcome: 'succeeded', unheld: false },
      abandoned: { outcome: 'abandoned', unheld: true }, unheld: { outcome: 'none', unheld: true },
    });
  });
});
