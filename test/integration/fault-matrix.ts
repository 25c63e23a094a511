// The fault × feature matrix (README "Fault matrix"): the features of the fixture
// test/fixtures/app/matrix.mjs, what one cell expects of each invoke, and the check of a cell.
// A feature is one line of FEATURES; a fault is one row of a fault-matrix-*.test.ts file.
import { expect } from 'vitest';
import type { InvokeResult, Sandbox } from '../rig/sandbox.ts';
import { clearMarks, extensionLogs, readMark, toEpoch } from './product-helpers.ts';

/** A piece of work a feature starts: its mark is `${tag}-${kind}`, its name in log lines `name(tag)`. */
interface Work {
  readonly kind: 'job' | 'flush' | 'after' | 'child';
  readonly name: (tag: string) => string;
}

const job: Work = { kind: 'job', name: (tag) => `${tag} job` };
const flush: Work = { kind: 'flush', name: () => 'matrix flusher' };
const after: Work = { kind: 'after', name: () => 'next after()' };
const child: Work = { kind: 'child', name: (tag) => `${tag} child job` };

export interface Feature {
  readonly name: string;
  readonly works: readonly Work[];
  /** What the handler answers besides `{ feature, tag, requestId }`. */
  readonly answers?: Record<string, unknown>;
}

/** Each feature, as matrix.mjs runs it for `event.feature`. */
export const FEATURES: readonly Feature[] = [
  { name: 'job', works: [job] },
  { name: 'flusher', works: [job, flush] },
  { name: 'next after()', works: [after], answers: { context: true } },
  { name: 'socket child', works: [child] },
];

/**
 * What an invoke of a cell must show; every one answers correctly.
 * - `held`: no timeout; every piece of work completed before the invoke's release.
 * - `held or named`: no timeout; every piece of work completed before the invoke's release, or a
 *   WARN/ERROR names it (the fault may cost the hold, never silently).
 * - `unheld`: the mode is unheld, which an ERROR at init said; no timeout; every piece of work
 *   completes (at a later thaw at the latest: it is frozen with the environment), or a WARN/ERROR
 *   names it.
 * - `reset`: `next` answered 500 ("exit promptly") at this invoke's release: the loop stops, the
 *   platform still waits for the registered extension, so the invoke ends at its timeout and the
 *   environment is reset (README "Fault matrix"); the runtime posted its response, and the work
 *   completed before the release was attempted.
 */
export type Expect = 'held' | 'held or named' | 'unheld' | 'reset';

export interface CellOptions {
  readonly box: Sandbox;
  readonly feature: Feature;
  /** Unique per cell: names the cell's work and marks. */
  readonly tag: string;
  /** One entry per invoke of the cell. */
  readonly invokes: readonly Expect[];
  /** WARN/ERROR lines (as JSON) the fault explains; any other fails the cell. */
  readonly allowed: readonly RegExp[];
  /** Freeze emulation is on: unheld work can only complete while the environment is thawed. */
  readonly frozen: boolean;
}

/** Runs the cell's invokes one after another and checks each. */
export async function runCell(options: CellOptions): Promise<void> {
  const { box, feature, tag } = options;
  const from = box.logMark();
  for (const [i, expected] of options.invokes.entries()) {
    const invokeTag = `${tag}-${i + 1}`;
    clearMarks(box, ...feature.works.map((w) => `${invokeTag}-${w.kind}`));
    const result = await box.invoke({ feature: feature.name, tag: invokeTag, dir: '/tmp', jobMs: 100 });
    const where = `${feature.name}, invoke ${i + 1} of ${options.invokes.length} (${expected})`;
    if (expected === 'reset') expectReset(box, result, feature, invokeTag, where);
    else expectAnswered(result, feature, invokeTag, where);
    if (expected === 'held') expectHeld(box, result, feature, invokeTag, where);
    if (expected === 'held or named') await expectHeldOrNamed(box, result, feature, invokeTag, { since: from, where });
    if (expected === 'unheld') await expectCompletedOrNamed(box, feature, invokeTag, { since: from, frozen: options.frozen, where });
  }
  const unexplained = problems(box.logsSince(from)).filter((l) => !options.allowed.some((p) => p.test(JSON.stringify(l))));
  expect(unexplained, `${feature.name}: WARN/ERROR lines the fault does not explain`).toEqual([]);
}

export function expectAnswered(result: { status: number; body: string; json(): unknown }, feature: Feature, tag: string, where: string): void {
  expect(result.body, `${where}: the invoke reached its timeout`).not.toContain('Task timed out');
  expect(result.status, where).toBe(200);
  expect(result.json(), where).toMatchObject({ feature: feature.name, tag, ...feature.answers });
}

function expectHeld(box: Sandbox, result: InvokeResult, feature: Feature, tag: string, where: string): void {
  expect((result.json() as { requestId?: unknown }).requestId, where).toBe(result.requestId);
  const release = toEpoch(result.extensionReleasedAt ?? NaN);
  for (const work of feature.works) {
    expect(readMark(box, `${tag}-${work.kind}`)?.at ?? Infinity, `${where}: "${work.name(tag)}" completed before the release`).toBeLessThanOrEqual(release);
  }
}

/** Judged once the environment has been thawed (see expectCompletedOrNamed): a line naming late work may come at its late end. */
async function expectHeldOrNamed(box: Sandbox, result: InvokeResult, feature: Feature, tag: string, o: { since: number; where: string }): Promise<void> {
  const release = toEpoch(result.extensionReleasedAt ?? NaN);
  const before = new Map(feature.works.map((w) => [w, (readMark(box, `${tag}-${w.kind}`)?.at ?? Infinity) <= release]));
  await settleThawed(box, feature, tag);
  const lines = problems(box.logsSince(o.since)).map((l) => JSON.stringify(l));
  for (const work of feature.works) {
    const named = lines.some((l) => l.includes(work.name(tag)));
    expect(before.get(work) === true || named, `${o.where}: "${work.name(tag)}" was not held (completed after the release), and no WARN/ERROR names it`).toBe(true);
  }
}

function expectReset(box: Sandbox, result: InvokeResult, feature: Feature, tag: string, where: string): void {
  expect(result.body, `${where}: the caller's view under RIE`).toContain('Task timed out');
  expect(result.responsePostedAt, `${where}: the runtime posted its response`).toBeDefined();
  expect(result.errorPostedAt, where).toBeUndefined();
  const refused = result.calls.find((c) => c.kind === 'extension-next' && c.status === 500);
  expect(refused, `${where}: the release that got 500`).toBeDefined();
  for (const work of feature.works) {
    expect(readMark(box, `${tag}-${work.kind}`)?.at ?? Infinity, `${where}: "${work.name(tag)}" completed before the release was attempted`).toBeLessThanOrEqual(toEpoch(refused?.startedAt ?? NaN));
  }
}

/**
 * Every piece of work completes (the environment thawed meanwhile: unheld work is frozen with it
 * and resumes at the next thaw, as on Lambda), or a WARN/ERROR since `since` names it.
 */
export async function expectCompletedOrNamed(box: Sandbox, feature: Feature, tag: string, o: { since: number; frozen: boolean; where: string }): Promise<void> {
  if (o.frozen) await settleThawed(box, feature, tag);
  else await untilMarked(box, feature, tag);
  const lines = problems(box.logsSince(o.since)).map((l) => JSON.stringify(l));
  for (const work of feature.works) {
    const completed = readMark(box, `${tag}-${work.kind}`) !== undefined;
    const named = lines.some((l) => l.includes(work.name(tag)));
    expect(completed || named, `${o.where}: "${work.name(tag)}" neither completed nor was named by a WARN/ERROR`).toBe(true);
  }
}

/** Thaws the environment until the work's marks are there (or a bound passes), then freezes it again. */
async function settleThawed(box: Sandbox, feature: Feature, tag: string): Promise<void> {
  box.thaw();
  try {
    await untilMarked(box, feature, tag);
  } finally {
    box.freeze();
  }
}

async function untilMarked(box: Sandbox, feature: Feature, tag: string): Promise<void> {
  const marks = feature.works.map((w) => `${tag}-${w.kind}`);
  // A bound on waiting, not a timing assertion: the work takes 100 ms.
  for (let waited = 0; waited < 5000 && marks.some((m) => readMark(box, m) === undefined); waited += 20) await sleep(20);
}

/** The extension's WARN and ERROR lines. */
export function problems(output: string): Array<Record<string, unknown>> {
  return extensionLogs(output).filter((l) => l.level === 'WARN' || l.level === 'ERROR');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A cell on Managed Instances (never frozen, no registration, no extension loop): one invoke sent
 * as RIE's Managed Instances mode takes it; the work completes after the response, unheld.
 */
export async function runManagedCell(box: Sandbox, feature: Feature, tag: string): Promise<void> {
  const from = box.logMark();
  clearMarks(box, ...feature.works.map((w) => `${tag}-${w.kind}`));
  const [result] = await box.invokeConcurrently([{ feature: feature.name, tag, dir: '/tmp', jobMs: 100 }]);
  if (result === undefined) throw new Error('no result');
  expectAnswered(result, feature, tag, feature.name);
  expect((result.json() as { requestId?: unknown }).requestId).toBe(result.requestId);
  await expectCompletedOrNamed(box, feature, tag, { since: from, frozen: false, where: feature.name });
  expect(problems(box.logsSince(from)), `${feature.name}: WARN/ERROR lines`).toEqual([]);
}
