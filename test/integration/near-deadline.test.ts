// A slow handler near its deadline (test/fixtures/app/near-deadline.mjs) gets the same outcome under
// the rig (the built layer, the real runtime clients: RIC 3.3 on nodejs22.x, 4.0.2 on nodejs24.x)
// and through the test kit from the packed package, on the same Node: decided by the clock
// (docs/how-it-works.md "Grace"), never by which of the deadline's timer and the response the
// event loop runs first. Before, a blocked handler's job started in the kit and under RIC 3.3 and
// was dropped under RIC 4.0.2. The fixture records the clock; the test asserts outcomes against it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { profileTools } from '../rig/tools.ts';
import { APP_DIR, clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer } from './product-helpers.ts';

const MARGIN_MS = 1200;
const TIMEOUT_S = 2;
const CASES = ['enqueue-late', 'blocked'] as const;
type Case = (typeof CASES)[number];

interface Observed {
  /** The job's outcome: the summary's under the rig, the job record's in the kit. */
  readonly outcome: 'succeeded' | 'never-started' | 'other';
  /** Whether its signal had aborted when it started; null: it never started. */
  readonly abortedAtStart: boolean | null;
  /** The `deadline near` WARN's field. */
  readonly handlerRunning: boolean;
  /** Time left (ms) at the enqueue and at the return, by the runtime's clock. */
  readonly leftAtEnqueue: number;
  readonly leftAtReturn: number;
}

const outcomeOnly = ({ outcome, abortedAtStart, handlerRunning }: Observed): Pick<Observed, 'outcome' | 'abortedAtStart' | 'handlerRunning'> => ({ outcome, abortedAtStart, handlerRunning });

let kitDir = '';
beforeAll(() => {
  const pkg = join(import.meta.dirname, '..', '..', 'dist', 'npm', 'lambda-after-response');
  if (!existsSync(join(pkg, 'testing.mjs'))) throw new Error(`${pkg} has no testing.mjs: run bash build.sh`);
  kitDir = mkdtempSync(join(tmpdir(), 'lar-near-deadline-'));
  mkdirSync(join(kitDir, 'node_modules'));
  symlinkSync(pkg, join(kitDir, 'node_modules', 'lambda-after-response'));
  for (const file of ['near-deadline.mjs', 'shared.mjs']) copyFileSync(join(APP_DIR, file), join(kitDir, file));
  writeFileSync(join(kitDir, 'run.mjs'), `import { readFileSync, rmSync } from 'node:fs';
import { invokeHandler } from 'lambda-after-response/testing';
import { handler } from './near-deadline.mjs';
const [cases, dir, marginMs, timeoutMs] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const read = (name) => { try { return JSON.parse(readFileSync(dir + '/' + name + '.json', 'utf8')); } catch { return undefined; } };
const found = {};
for (const name of cases) {
  rmSync(dir + '/job-started.json', { force: true });
  const result = await invokeHandler(handler, { case: name, dir, marginMs }, { timeoutMs, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: String(marginMs) } });
  const warn = result.logs.find((line) => String(line.message).startsWith('deadline near'));
  found[name] = { outcome: result.jobs[0]?.outcome, warn, started: read('job-started'), enqueued: read('enqueued') };
}
console.log(JSON.stringify(found));
`);
});
afterAll(() => {
  if (kitDir !== '') rmSync(kitDir, { recursive: true, force: true });
});

function observed(outcome: string, warn: Record<string, unknown> | undefined, started: Record<string, unknown> | undefined, enqueued: Record<string, unknown> | undefined): Observed {
  return {
    outcome: outcome === 'succeeded' || outcome === 'never-started' ? outcome : 'other',
    abortedAtStart: started ? started.aborted === true : null,
    handlerRunning: warn?.handlerRunning === true,
    leftAtEnqueue: Number(enqueued?.leftAtEnqueue), leftAtReturn: Number(enqueued?.leftAtReturn),
  };
}

/** Through the kit, on the profile's Node. */
function throughKit(profile: (typeof PROFILES)[number]): Record<Case, Observed> {
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const marks = mkdtempSync(join(tmpdir(), 'lar-near-deadline-marks-'));
  const out = execFileSync(node, ['run.mjs', JSON.stringify(CASES), marks, String(MARGIN_MS), String(TIMEOUT_S * 1000)], { cwd: kitDir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  rmSync(marks, { recursive: true, force: true });
  type Found = { outcome: string; warn?: Record<string, unknown>; started?: Record<string, unknown>; enqueued?: Record<string, unknown> };
  const found = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<Case, Found>;
  return Object.fromEntries(CASES.map((name) => [name, observed(found[name].outcome, found[name].warn, found[name].started, found[name].enqueued)])) as Record<Case, Observed>;
}

describe.each(PROFILES)('on %s, a handler past deadline − margin', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'near-deadline.handler', timeoutSeconds: TIMEOUT_S, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: String(MARGIN_MS) } }));

  test('gets the same outcome under the rig and in the kit, decided by the clock', async () => {
    const box = await sandbox();
    await box.invoke({ case: 'enqueue-late', dir: '/tmp', marginMs: MARGIN_MS }); // warm: init would eat into the first deadline
    const underRig = {} as Record<Case, Observed>;
    for (const name of CASES) {
      clearMarks(box, 'job-started', 'enqueued');
      const result = await box.invoke({ case: name, dir: '/tmp', marginMs: MARGIN_MS });
      const lines = extensionLogs(box.logs()).filter((line) => line.requestId === result.requestId);
      const summary = lines.find((line) => line.message === 'after-response summary');
      const outcome = Number(summary?.neverStarted) > 0 ? 'never-started' : Number(summary?.succeeded) > 0 ? 'succeeded' : 'other';
      underRig[name] = observed(outcome, lines.find((line) => String(line.message).startsWith('deadline near')), readMark(box, 'job-started'), readMark(box, 'enqueued'));
    }
    const kit = throughKit(profile);
    console.log(`${profile}: case | under the rig | in the kit\n${CASES.map((name) => `${name} | ${JSON.stringify(underRig[name])} | ${JSON.stringify(kit[name])}`).join('\n')}`);
    for (const seen of [underRig, kit]) {
      // The scenario, by the runtime's clock: the late job enqueued after deadline − margin; the
      // blocked handler's job before it, and its return after it.
      expect(seen['enqueue-late'].leftAtEnqueue).toBeLessThan(MARGIN_MS);
      expect(seen.blocked.leftAtEnqueue).toBeGreaterThan(MARGIN_MS);
      expect(seen.blocked.leftAtReturn).toBeLessThan(MARGIN_MS);
    }
    expect(CASES.map((name) => outcomeOnly(kit[name]))).toEqual(CASES.map((name) => outcomeOnly(underRig[name])));
    expect(outcomeOnly(underRig['enqueue-late'])).toEqual({ outcome: 'succeeded', abortedAtStart: true, handlerRunning: true });
    expect(outcomeOnly(underRig.blocked)).toEqual({ outcome: 'never-started', abortedAtStart: null, handlerRunning: true });
  });
});

