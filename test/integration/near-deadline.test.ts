// A slow handler near its deadline (test/fixtures/app/near-deadline.mjs) gets the same outcome under
// the rig (the built layer, the real runtime clients: RIC 3.3 on nodejs22.x, 4.0.2 on nodejs24.x)
// and through the test kit from the packed package, on the same Node: decided by the clock
// (docs/how-it-works.md "Grace"), never by which of the deadline's timer and the response the
// event loop runs first. Before, a blocked handler's job started in the kit and under RIC 3.3 and
// was dropped under RIC 4.0.2; a job enqueued with no grace left was held for a 0 ms grace (the
// kit said never-started for jobs that ran), and one enqueued past the grace's end was dropped by
// a blocked handler and ran unheld, unnamed by the kit (its `jobs` left it out until it said
// `unheld`), for an awaiting one; a job settling just
// after a response that came past the grace's end (the handler blocked the event loop, the grace's
// timer late) was counted succeeded under the rig; an invoke that started inside its margin was
// told to find what the handler waits for. The fixture records the clock; the test asserts
// outcomes against it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { profileTools } from '../rig/tools.ts';
import type { Sandbox } from '../rig/sandbox.ts';
import { APP_DIR, clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer } from './product-helpers.ts';

const MARGIN_MS = 1200;
const GRACE_MS = 250;
const TIMEOUT_S = 2;
/** Above the timeout plus the grace: the invoke starts with no grace left. */
const NO_GRACE_MARGIN_MS = TIMEOUT_S * 1000 + GRACE_MS + 50;
/** Above the timeout, below the timeout plus the grace: the invoke starts inside its margin with some grace left. */
const INSIDE_MARGIN_MS = TIMEOUT_S * 1000 + 100;
/** The fixes the WARNs name: the timeout against the margin (an invoke started inside it), the handler's. */
const MARGIN_FIX = "raise the function's timeout above the margin, or lower the margin";
const HANDLER_FIX = 'make the handler respond sooner';
/** Each case and its jobs, in the order the handler enqueues them. */
const JOBS = {
  'enqueue-late': ['late-job'],
  blocked: ['early-job'],
  'past-grace-blocked': ['early-job', 'late-job'],
  'past-grace-await': ['early-job', 'late-job'],
  'grace-late': ['early-job', 'slow-job'],
  'no-grace': ['first-job'],
} as const;
type Case = keyof typeof JOBS;
const CASES = ['enqueue-late', 'blocked', 'past-grace-blocked', 'past-grace-await', 'grace-late'] as const satisfies readonly Case[];

/**
 * A job's outcome: `succeeded` / `never-started` / `abandoned` (held: the summary, the `deadline
 * near` and `abandoning unfinished jobs` WARNs under the rig, the job record in the kit), `unheld`
 * (not held: under the rig, named by the `job enqueued after its invoke was released` WARN with
 * `handlerRunning: true`; in the kit, its record's outcome).
 */
type Outcome = 'succeeded' | 'never-started' | 'abandoned' | 'unheld' | 'other';

interface Observed {
  /** Per job: its outcome, and whether its signal had aborted when it started (null: it never started). */
  readonly jobs: Record<string, { readonly outcome: Outcome; readonly abortedAtStart: boolean | null }>;
  /** The `deadline near` WARN's field. */
  readonly handlerRunning: boolean;
  /** The WARNs (`deadline near`, and the late ones naming unheld jobs) carry `leftAtStartMs` and give the margin's fix, not the handler's. */
  readonly startedInside: boolean;
  /** Time left (ms) at the (last) enqueue and at the return, by the runtime's clock. */
  readonly leftAtEnqueue: number;
  readonly leftAtReturn: number;
}
type Line = Record<string, unknown>;

const outcomeOnly = ({ jobs, handlerRunning, startedInside }: Observed): Pick<Observed, 'jobs' | 'handlerRunning' | 'startedInside'> => ({ jobs, handlerRunning, startedInside });
const isUnheldWarn = (line: Line): boolean => line.level === 'WARN' && line.handlerRunning === true && String(line.message).startsWith('job enqueued after its invoke was released');
const unheldWarn = (lines: readonly Line[], job: string): boolean => lines.some((line) => line.job === job && isUnheldWarn(line));
const deadlineWarn = (lines: readonly Line[]): Line | undefined => lines.find((line) => String(line.message).startsWith('deadline near'));
const abandonedIn = (lines: readonly Line[], job: string): boolean => lines.some((line) => String(line.message).startsWith('abandoning unfinished jobs') && Array.isArray(line.jobs) && line.jobs.includes(job));
/** Every WARN naming the deadline's cause names the margin: `leftAtStartMs`, and its fix, not the handler's. */
const startedInside = (lines: readonly Line[]): boolean => {
  const warns = lines.filter((line) => String(line.message).startsWith('deadline near') || isUnheldWarn(line));
  return warns.length > 0 && warns.every((line) => typeof line.leftAtStartMs === 'number' && String(line.message).includes(MARGIN_FIX) && !String(line.message).includes(HANDLER_FIX));
};

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
const [cases, dir, marginMs, graceMs, timeoutMs] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])];
const read = (name) => { try { return JSON.parse(readFileSync(dir + '/' + name + '.json', 'utf8')); } catch { return undefined; } };
const found = {};
for (const [name, jobs] of Object.entries(cases)) {
  for (const job of jobs) rmSync(dir + '/' + job + '-started.json', { force: true });
  const result = await invokeHandler(handler, { case: name, dir, marginMs, graceMs }, { timeoutMs, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: String(marginMs) } });
  await new Promise((resolve) => setTimeout(resolve, 20)); // an unheld job's mark
  found[name] = { records: Object.fromEntries(result.jobs.map((job) => [job.name, job.outcome])), logs: result.logs, started: Object.fromEntries(jobs.map((job) => [job, read(job + '-started')])), enqueued: read('enqueued') };
}
console.log(JSON.stringify(found));
`);
});
afterAll(() => {
  if (kitDir !== '') rmSync(kitDir, { recursive: true, force: true });
});

function observed(name: Case, outcomeOf: (job: string) => Outcome, lines: readonly Line[], started: (job: string) => Line | undefined, enqueued: Line | undefined): Observed {
  return {
    jobs: Object.fromEntries(JOBS[name].map((job) => {
      const mark = started(job);
      return [job, { outcome: outcomeOf(job), abortedAtStart: mark ? mark.aborted === true : null }];
    })),
    handlerRunning: deadlineWarn(lines)?.handlerRunning === true,
    startedInside: startedInside(lines),
    leftAtEnqueue: Number(enqueued?.leftAtEnqueue), leftAtReturn: Number(enqueued?.leftAtReturn),
  };
}

/** Through the kit, on the profile's Node. */
function throughKit(profile: (typeof PROFILES)[number], cases: readonly Case[], marginMs: number): Partial<Record<Case, Observed>> {
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const marks = mkdtempSync(join(tmpdir(), 'lar-near-deadline-marks-'));
  const args = [JSON.stringify(Object.fromEntries(cases.map((name) => [name, JOBS[name]]))), marks, String(marginMs), String(GRACE_MS), String(TIMEOUT_S * 1000)];
  const out = execFileSync(node, ['run.mjs', ...args], { cwd: kitDir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  rmSync(marks, { recursive: true, force: true });
  type Found = { records: Record<string, string>; logs: Line[]; started: Record<string, Line | undefined>; enqueued?: Line };
  const found = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<Case, Found>;
  // The kit's own record says `unheld` (not the WARN in its logs): a test can fail on it.
  const kitOutcome = (record: string | undefined): Outcome => (record === 'succeeded' || record === 'never-started' || record === 'abandoned' || record === 'unheld' ? record : 'other');
  return Object.fromEntries(cases.map((name) => {
    const { records, logs, started, enqueued } = found[name];
    return [name, observed(name, (job) => kitOutcome(records[job]), logs, (job) => started[job], enqueued)];
  }));
}

/** Runs the cases under the rig (after a warm-up invoke: init would eat into the first deadline). */
async function underRig(box: Sandbox, cases: readonly Case[], marginMs: number): Promise<Partial<Record<Case, Observed>>> {
  await box.invoke({ case: 'enqueue-late', dir: '/tmp', marginMs, graceMs: GRACE_MS });
  const seen: Partial<Record<Case, Observed>> = {};
  for (const name of cases) {
    clearMarks(box, 'enqueued', ...JOBS[name].map((job) => `${job}-started`));
    const result = await box.invoke({ case: name, dir: '/tmp', marginMs, graceMs: GRACE_MS });
    await new Promise((resolve) => setTimeout(resolve, 100)); // an unheld job's mark and lines
    const lines = extensionLogs(box.logs()).filter((line) => line.requestId === result.requestId);
    const summary = lines.find((line) => line.message === 'after-response summary');
    const neverStarted = (deadlineWarn(lines)?.neverStarted ?? []) as unknown[];
    const outcomeOf = (job: string): Outcome => (unheldWarn(lines, job) ? 'unheld' : neverStarted.includes(job) ? 'never-started' : abandonedIn(lines, job) ? 'abandoned' : Number(summary?.succeeded) > 0 && readMark(box, `${job}-started`) ? 'succeeded' : 'other');
    seen[name] = observed(name, outcomeOf, lines, (job) => readMark(box, `${job}-started`), readMark(box, 'enqueued'));
  }
  return seen;
}

const table = (profile: string, cases: readonly Case[], rig: Partial<Record<Case, Observed>>, kit: Partial<Record<Case, Observed>>): string =>
  `${profile}: case | under the rig | in the kit\n${cases.map((name) => `${name} | ${JSON.stringify(rig[name])} | ${JSON.stringify(kit[name])}`).join('\n')}`;

describe.each(PROFILES)('on %s, a handler past deadline − margin', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'near-deadline.handler', timeoutSeconds: TIMEOUT_S, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: String(MARGIN_MS), AFTER_RESPONSE_ABORT_GRACE_MS: String(GRACE_MS) } }));

  test('gets the same outcome under the rig and in the kit, decided by the clock (also past the grace\'s end)', async () => {
    const rig = await underRig(await sandbox(), CASES, MARGIN_MS);
    const kit = throughKit(profile, CASES, MARGIN_MS);
    console.log(table(profile, CASES, rig, kit));
    for (const seen of [rig, kit]) {
      // The scenario, by the runtime's clock: the late job enqueued after deadline − margin; the
      // blocked handler's job before it, and its return after it; the past-grace cases' late job
      // after deadline − margin + grace.
      expect(seen['enqueue-late']?.leftAtEnqueue).toBeLessThan(MARGIN_MS);
      expect(seen.blocked?.leftAtEnqueue).toBeGreaterThan(MARGIN_MS);
      expect(seen.blocked?.leftAtReturn).toBeLessThan(MARGIN_MS);
      for (const name of ['past-grace-blocked', 'past-grace-await'] as const) expect(seen[name]?.leftAtEnqueue).toBeLessThan(MARGIN_MS - GRACE_MS);
      // The slow job enqueued in the grace, the return past its end.
      expect(seen['grace-late']?.leftAtEnqueue).toBeLessThan(MARGIN_MS);
      expect(seen['grace-late']?.leftAtEnqueue).toBeGreaterThan(MARGIN_MS - GRACE_MS);
      expect(seen['grace-late']?.leftAtReturn).toBeLessThan(MARGIN_MS - GRACE_MS);
    }
    expect(CASES.map((name) => kit[name] && outcomeOnly(kit[name]))).toEqual(CASES.map((name) => rig[name] && outcomeOnly(rig[name])));
    expect(rig['enqueue-late'] && outcomeOnly(rig['enqueue-late'])).toEqual({ jobs: { 'late-job': { outcome: 'succeeded', abortedAtStart: true } }, handlerRunning: true, startedInside: false });
    expect(rig.blocked && outcomeOnly(rig.blocked)).toEqual({ jobs: { 'early-job': { outcome: 'never-started', abortedAtStart: null } }, handlerRunning: true, startedInside: false });
    // Past the grace's end, blocked or awaiting: the early job never started, the late one ran unheld.
    const pastGrace = { jobs: { 'early-job': { outcome: 'never-started', abortedAtStart: null }, 'late-job': { outcome: 'unheld', abortedAtStart: true } }, handlerRunning: true, startedInside: false };
    expect(rig['past-grace-blocked'] && outcomeOnly(rig['past-grace-blocked'])).toEqual(pastGrace);
    expect(rig['past-grace-await'] && outcomeOnly(rig['past-grace-await'])).toEqual(pastGrace);
    // A response past the grace's end, its timer late: the slow job still ran then, so it is abandoned, though it settled before that timer.
    expect(rig['grace-late'] && outcomeOnly(rig['grace-late'])).toEqual({ jobs: { 'early-job': { outcome: 'never-started', abortedAtStart: null }, 'slow-job': { outcome: 'abandoned', abortedAtStart: true } }, handlerRunning: true, startedInside: false });
  });
});

/** Invokes that start inside their margin: the handler waits for nothing, the WARNs give the margin's fix. */
const INSIDE = [
  // No grace left: the job runs unheld, never reported as never started or abandoned.
  ['with no grace left (margin above the timeout plus the grace)', NO_GRACE_MARGIN_MS, { 'first-job': { outcome: 'unheld', abortedAtStart: true } }],
  // Some grace left: the job starts aborted and is held for what is left of it.
  ['with some grace left (margin above the timeout, below the timeout plus the grace)', INSIDE_MARGIN_MS, { 'first-job': { outcome: 'succeeded', abortedAtStart: true } }],
] as const;

describe.each(PROFILES.flatMap((profile) => INSIDE.map(([what, margin, jobs]) => [profile, what, margin, jobs] as const)))('on %s, an invoke that starts inside its margin %s', (profile, _what, marginMs, jobs) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'near-deadline.handler', timeoutSeconds: TIMEOUT_S, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: String(marginMs), AFTER_RESPONSE_ABORT_GRACE_MS: String(GRACE_MS) } }));

  test('gets the same outcome under the rig and in the kit, its WARNs naming the time left at the start and the margin, with the margin\'s fix', async () => {
    const cases = ['no-grace'] as const;
    const rig = await underRig(await sandbox(), cases, marginMs);
    const kit = throughKit(profile, cases, marginMs);
    console.log(table(profile, cases, rig, kit));
    expect(kit['no-grace'] && outcomeOnly(kit['no-grace'])).toEqual(rig['no-grace'] && outcomeOnly(rig['no-grace']));
    expect(rig['no-grace'] && outcomeOnly(rig['no-grace'])).toEqual({ jobs, handlerRunning: true, startedInside: true });
  });
});
