// The core of `npm run invoke`: a user's function dir as /var/task under the Runtime Interface
// Emulator (real RIC, freeze emulation), with the built layer at /opt or without it; N invokes,
// each reported as text: when the response was posted, its body, when the environment was
// released (frozen), and the function's log lines. Returns each invoke's judgement.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type InvokeResult } from '../rig/sandbox.ts';
import { copyFixture, installPackages } from '../rig/task-packages.ts';
import type { InvokeOptions } from './invoke-args.ts';
import { describeInvoke } from './invoke-report.ts';
import { drainBudgetMs, startLocalTaskQueue, type LocalTaskQueue } from './invoke-sqs.ts';
import { queueOutcome, type QueueOutcome } from './invoke-queue-outcome.ts';
import { describeFunctionTmp } from './invoke-tmp.ts';
import { judgeInvoke, type InvokeJudgement } from './invoke-verdict.ts';

export const LAYER_DIR = fileURLToPath(new URL('../../dist/layer', import.meta.url));
// RIE's own lines, e.g. `30 Nov 2026 22:04:47,941 [INFO] (rapid) INIT START(...)`: not on Lambda.
const EMULATOR_LINE = /^\d{2} \w{3} \d{4} [\d:,]+ \[\w+\] \(rapid\)/;
// The emulator's line at each (re-)initialisation: the first invoke, and any after a reset (a timeout, a crash).
const INIT_START = /\(rapid\) INIT START\(/;

/** Where the report goes, one line at a time (stdout in the command, an array in tests). */
export type Print = (line: string) => void;

/** What the run came to: one judgement per invoke made (see invoke-verdict.ts for the verdict). */
export interface InvokeOutcome {
  readonly invokes: readonly InvokeJudgement[];
  /** With `--sqs`: what became of the tasks in the queue (the invokes are judged again with it). */
  readonly queue?: QueueOutcome;
}

/**
 * Starts the sandbox, invokes `options.times` times in a row, prints each invoke, stops the
 * sandbox (also when an invoke fails, or at once when `control.signal` aborts). Without the layer
 * and without the function's own `node_modules/lambda-after-response`, runs a temporary copy of
 * the dir with the built client package added. @throws {Error} when dist/layer (with the layer) or
 * dist/npm/lambda-after-response (copy needed) is missing, or the sandbox does not start.
 */
export async function invokeFunction(options: InvokeOptions, print: Print, control: { readonly signal?: AbortSignal } = {}): Promise<InvokeOutcome> {
  if (options.layer && !existsSync(`${LAYER_DIR}/after-response`)) throw new Error(`${LAYER_DIR} is missing: run bash build.sh (npm run invoke does)`);
  print(`${options.functionDir} as /var/task, handler ${options.handler}, ${options.profile}, ${options.layer ? 'with the layer (dist/layer at /opt)' : 'without the layer'}, timeout ${options.timeoutSeconds} s, memory ${options.memorySizeMb} MB`);
  const copy = options.layer ? undefined : withClientCopy(options.functionDir, print);
  try {
    return await runInvokes(options, copy ?? options.functionDir, print, control);
  } finally {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * A function importing `lambda-after-response` from the layer finds nothing at /opt without it
 * (ERR_MODULE_NOT_FOUND at init): give it the client package, as a function bundling it has.
 * Returns the copy's dir, or undefined when the function has the package itself.
 */
function withClientCopy(functionDir: string, print: Print): string | undefined {
  if (existsSync(join(functionDir, 'node_modules', 'lambda-after-response'))) return undefined;
  const copy = mkdtempSync(join(tmpdir(), 'lar-invoke-fn-'));
  try {
    copyFixture(functionDir, copy);
    installPackages(copy, [], { withClient: true });
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
  print(`no node_modules/lambda-after-response in ${functionDir}: running a copy of it with the built client package (dist/npm/lambda-after-response) added, as a function bundling the client has it`);
  return copy;
}

async function runInvokes(options: InvokeOptions, taskDir: string, print: Print, control: { readonly signal?: AbortSignal }): Promise<InvokeOutcome> {
  const tasks = options.sqs ? await startLocalTaskQueue(options.timeoutSeconds, print) : undefined;
  try {
    return await runInvokesWith(options, taskDir, print, control, tasks);
  } finally {
    await tasks?.stop();
  }
}

async function runInvokesWith(options: InvokeOptions, taskDir: string, print: Print, control: { readonly signal?: AbortSignal }, tasks: LocalTaskQueue | undefined): Promise<InvokeOutcome> {
  const env = { ...tasks?.env, ...options.env };
  const box = await startSandbox({
    profile: options.profile, taskDir, handler: options.handler, timeoutSeconds: options.timeoutSeconds, memorySizeMb: options.memorySizeMb,
    ...(options.layer ? { layerDir: LAYER_DIR, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response', ...env } } : { env }),
  });
  // Ctrl-C: stop the sandbox (RIE and the function's processes) rather than leave it running.
  const onAbort = (): void => void box.stop().catch(() => undefined);
  control.signal?.addEventListener('abort', onAbort, { once: true });
  print(`the function's /tmp is private to the sandbox: ${box.tmpDir} on this machine while it runs, removed at the end${options.keepTmp === undefined ? '' : ` (copied to ${options.keepTmp} first)`}`);
  const invokes: InvokeJudgement[] = [];
  const seen: Array<{ result: InvokeResult; logLines: string[] }> = [];
  let queue: QueueOutcome | undefined;
  try {
    for (let i = 1; i <= options.times && control.signal?.aborted !== true; i++) {
      const mark = box.logMark();
      const result: InvokeResult = await box.invoke(options.event);
      const output = box.logsSince(mark);
      const logLines = functionLogLines(output);
      const judgement = judgeInvoke(result, logLines);
      invokes.push(judgement);
      seen.push({ result, logLines });
      const cold = i === 1 || INIT_START.test(output);
      print('');
      for (const line of describeInvoke(result, { index: i, of: options.times, layer: options.layer, cold }, judgement)) print(line);
      print('  log lines:');
      for (const line of logLines) print(`    ${line}`);
    }
    if (tasks !== undefined && control.signal?.aborted !== true) queue = await drainTasks(tasks, box, options, print);
  } finally {
    control.signal?.removeEventListener('abort', onAbort);
    const tmpLines = control.signal?.aborted === true ? [] : describeFunctionTmp(box.tmpDir, options.keepTmp);
    if (tmpLines.length > 0) print('');
    for (const line of tmpLines) print(line);
    await box.stop();
  }
  // Judged again with the queue's outcome: a failed task that completed from it recovered, one in the DLQ did not.
  return queue === undefined ? { invokes } : { invokes: seen.map(({ result, logLines }) => judgeInvoke(result, logLines, queue)), queue };
}

/** Plays the SQS event source until the task queue is empty, with the batches' log lines; bounded by 3 receives and a write-ahead delay, each up to the timeout + 1 s, plus 15 s. */
async function drainTasks(tasks: LocalTaskQueue, box: Awaited<ReturnType<typeof startSandbox>>, options: InvokeOptions, print: Print): Promise<QueueOutcome> {
  const mark = box.logMark();
  const drained = await tasks.drain(box, print, drainBudgetMs(options.timeoutSeconds));
  const logLines = functionLogLines(box.logsSince(mark));
  print('  log lines:');
  for (const line of logLines) print(`    ${line}`);
  return queueOutcome(drained.records, drained.deadBodies, logLines, drained.left);
}

/** What the function, the runtime and the layer printed during the invoke (the emulator's own lines left out). */
function functionLogLines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '' && !EMULATOR_LINE.test(line) && !line.startsWith('[rig]'));
}
