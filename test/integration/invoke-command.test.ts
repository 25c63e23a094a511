// `npm run invoke`'s core (test/demo/invoke-function.ts) on a user-like function dir, both
// profiles: the report names the response, its body, the release and the function's log lines;
// the verdict (last line, exit code) names failed invokes, timeouts, failed and abandoned jobs.
// The command itself: exit codes, the missing `--` hint, its run dir removed also on SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInvokeArgs } from '../demo/invoke-args.ts';
import { invokeFunction } from '../demo/invoke-function.ts';
import { invokeFailure, verdict, type Verdict } from '../demo/invoke-verdict.ts';
import type { InvokeResult } from '../rig/sandbox.ts';
import { processesOf } from '../rig/process-tree.ts';
import { registeredSandboxes, runDirVariable } from '../rig/run-dir.ts';
import { PROFILES } from './product-helpers.ts';

const FN_DIR = fileURLToPath(new URL('../fixtures/invoke-fn', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const VITE_NODE = join(REPO_DIR, 'node_modules', '.bin', 'vite-node');

async function runWithOutcome(args: string[]): Promise<{ output: string; verdict: Verdict }> {
  const lines: string[] = [];
  const { invokes, queue } = await invokeFunction(parseInvokeArgs(args, FN_DIR), (line) => void lines.push(line));
  return { output: lines.join('\n'), verdict: verdict(invokes, queue) };
}

async function run(args: string[]): Promise<string> {
  const { output, verdict: { line, exitCode } } = await runWithOutcome(args);
  expect(exitCode, line).toBe(0);
  return output;
}

// The commands' own temp dir (TMPDIR): their rig run dir (lar-rig-*) is made there, so the tests
// can see it removed without racing other runs in the machine's /tmp.
const COMMAND_TMP = mkdtempSync(join(tmpdir(), 'lar-invoke-command-'));
afterAll(() => rmSync(COMMAND_TMP, { recursive: true, force: true }));

/** The test's env without the rig's run dir: the command makes (and removes) its own. */
function commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: FN_DIR, TMPDIR: COMMAND_TMP, ...extra };
  delete env[runDirVariable];
  return env;
}

const runDirsLeft = (): string[] => readdirSync(COMMAND_TMP).filter((name) => name.startsWith('lar-rig-'));

/** The command itself (vite-node test/demo/invoke.ts), as `npm run invoke` runs it after the build. */
function command(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(VITE_NODE, ['test/demo/invoke.ts', '--', ...args], { cwd: REPO_DIR, env: commandEnv(extraEnv) }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}

/** The `job failed` lines in a report. */
function jobFailures(output: string): Array<{ errorMessage: string; stackTrace: string[] }> {
  return output.split('\n').filter((line) => line.includes('"message":"job failed"')).map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { errorMessage: string; stackTrace: string[] });
}

const lastLine = (stdout: string): string => stdout.trimEnd().split('\n').at(-1) ?? '';

/** The figure (ms) printed after `label` in invoke `n`'s block. */
function figure(output: string, n: number, label: string): number {
  const block = output.split(/\ninvoke /)[n] ?? '';
  const match = new RegExp(`${label}:\\s+([\\d.]+) ms`).exec(block);
  if (!match) throw new Error(`no "${label}" figure in invoke ${n}:\n${output}`);
  return Number(match[1]);
}

describe.each(PROFILES)('npm run invoke on %s', (profile) => {
  it('with the layer: reports the response, its body, the release after the job, and the log lines', async () => {
    const output = await run(['.', 'index.handler', '--event', 'event.json', '--profile', profile, '--times', '2']);
    expect(output).toContain(`handler index.handler, ${profile}, with the layer`);
    expect(output).toContain('invoke 1 of 2 (cold)');
    expect(output).toContain('invoke 2 of 2 (warm)');
    expect(output).toContain('response body:   {"statusCode":200,"body":"{\\"ok\\":true,\\"order\\":7}"}');
    for (const n of [1, 2]) {
      // The release follows the response; that it waited for the job is the summary's: settled, succeeded 1.
      expect(figure(output, n, 'released')).toBeGreaterThan(figure(output, n, 'response posted'));
    }
    const summaries = output.split('\n').filter((line) => line.includes('"after-response summary"')).map((line) => JSON.parse(line.slice(line.indexOf('{'))) as unknown);
    expect(summaries).toMatchObject([{ outcome: 'settled', enqueued: 1, succeeded: 1 }, { outcome: 'settled', enqueued: 1, succeeded: 1 }]);
    expect(output).toContain('INFO\thandling order 7');
    expect(output).toContain('INFO\treceipt sent for order 7');
    expect(output).toMatch(/"message":"after-response summary".*"outcome":"settled","enqueued":1/);
    expect(output).not.toContain('(rapid)'); // the emulator's own lines are left out
    expect(output).not.toContain('maybe forever'); // nothing was left pending
  });

  it('without the layer, a function importing lambda-after-response runs from a copy with the client package', async () => {
    const output = await run(['.', 'index.handler', '--no-layer', '--profile', profile, '--event', 'event.json', '--memory', '256']);
    expect(output).toContain(`no node_modules/lambda-after-response in ${FN_DIR}: running a copy of it with the built client package`);
    expect(output).toContain('memory 256 MB');
    expect(output).toContain('response body:   {"statusCode":200,"body":"{\\"ok\\":true,\\"order\\":7}"}');
    expect(output).toContain('INFO\thandling order 7');
    expect(output).toContain('Memory Size: 256 MB'); // AWS_LAMBDA_FUNCTION_MEMORY_SIZE reached the emulator
    expect(output).not.toContain('ERR_MODULE_NOT_FOUND');
  });

  it('a handler the module does not export: the runtime\'s error, named as an init error', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'index.nope', '--profile', profile]);
    expect(line).toBe('FAILED: 1 of 1 invoke(s): invoke 1: init error (Runtime.HandlerNotFound: index.nope is undefined or not exported)');
    expect(exitCode).toBe(1);
    expect(output).toContain('FAILED:          init error (Runtime.HandlerNotFound: index.nope is undefined or not exported)');
    expect(output).not.toContain('released:');
  });

  it('a handler that throws: named as a function error with the error\'s type and message', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'fails.handler', '--profile', profile]);
    expect(line).toBe('FAILED: 1 of 1 invoke(s): invoke 1: function error (TypeError: card declined)');
    expect(exitCode).toBe(1);
    expect(output).toContain('error posted:');
  });

  it('without the layer: released at the runtime\'s next, the timer frozen before it fires', async () => {
    const output = await run(['.', 'plain.handler', '--no-layer', '--profile', profile, '--event', '{"a":1}', '--env', 'GREETING=a=b']);
    expect(output).toContain('INFO\tGREETING=a=b');
    expect(output).toContain('without the layer');
    expect(output).toContain('response body:   "done"');
    expect(output).toContain("(the runtime's next: no extension holds it)");
    expect(output).not.toContain('timer fired');
  });

  it('failed jobs: named in the verdict (exit 5), each logged with its own stack, the function\'s frame first; with and without the layer', async () => {
    const held = await runWithOutcome(['.', 'jobs.throws', '--profile', profile]);
    expect(held.verdict.exitCode, held.output).toBe(5);
    expect(held.verdict.line).toBe('FAILED: 1 of 1 invoke(s): invoke 1: 2 jobs anonymous, asyncJob failed (see the "failed" log line: error and stack)');
    // Without the layer the jobs may be frozen before they run: the second invoke thaws the first's.
    const unheld = await runWithOutcome(['.', 'jobs.throws', '--profile', profile, '--no-layer', '--times', '2']);
    expect(unheld.verdict.exitCode, unheld.output).toBe(5);
    for (const output of [held.output, unheld.output]) {
      const failed = jobFailures(output);
      expect(new Set(failed.map((f) => f.errorMessage))).toEqual(new Set(['async job broke', 'sync job broke']));
      for (const { stackTrace } of failed) expect(stackTrace[0], JSON.stringify(stackTrace)).toMatch(/^at (asyncJob \()?file:\/\/\/var\/task\/jobs\.mjs:\d+:\d+\)?$/);
    }
  });

  it('a job abandoned at the deadline: exit 4, the fix named in the verdict and in the deadline WARN', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'jobs.overruns', '--profile', profile, '--timeout', '2']);
    expect(exitCode, output).toBe(4);
    expect(line).toBe("FAILED: 1 of 1 invoke(s): invoke 1: 1 job slowJob abandoned at the deadline. Fix: raise the timeout (--timeout S here; the function's timeout on Lambda); or make long jobs honour `signal` (stop, or hand the rest on, when it aborts)");
    expect(output).toMatch(/deadline near: .*Fix: raise the function's timeout, or make long jobs honour `signal`/);
    expect(output).toContain('(the extension let the environment freeze)');
  });

  it('a handler busy past the grace\'s end: its queued job never started, the handler\'s fix and the timeout\'s (not `signal`\'s), one release time', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'jobs.busyHandler', '--profile', profile, '--timeout', '2']);
    expect(exitCode, output).toBe(4);
    expect(line).toBe("FAILED: 1 of 1 invoke(s): invoke 1: 1 job queuedJob never started (dropped at the deadline). Fix: make the handler respond sooner (what it awaits, or synchronous work blocking the event loop): jobs it queued never start while it runs past deadline − margin, and those it enqueues past deadline − margin + grace are not held; or raise the timeout (--timeout S here; the function's timeout on Lambda)");
    expect(output).toMatch(/"neverStarted":\["queuedJob"\]/);
    expect(output).toMatch(/deadline near, no grace left .*Fix: raise the function's timeout, or make the handler respond sooner/);
    // The extension's timers ran only after the busy handler: its `next` after the response, one time shown.
    expect(output).toContain('(the extension let the environment freeze)');
  });

  it('a timeout below margin − grace: the job is not held (exit 4), the margin\'s fix alone', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'jobs.writes', '--profile', profile, '--timeout', '1', '--env', 'AFTER_RESPONSE_DEADLINE_MARGIN_MS=2000']);
    expect(exitCode, output).toBe(4);
    expect(line).toMatch(/^FAILED: 1 of 1 invoke\(s\): invoke 1: 1 job settles enqueued by the handler in an invoke that started inside its margin, with no grace left: not held \(run unheld, maybe frozen mid-run\)\. Fix: raise the function's timeout above the margin, or lower the margin \(the timeout: --timeout S here, the function's timeout on Lambda; the margin: --env AFTER_RESPONSE_DEADLINE_MARGIN_MS=…\)$/);
  });

  it('a task past the deadline with --sqs: reported sent to its queue (not abandoned, exit 0), then run again from the queue through handleTaskBatch', async () => {
    // A margin of 1.5 s, not the default 0.5: the hand-off starts at the grace's end and must be sent before the deadline;
    // with 0.25 s left, a CI run on 2 loaded cores saw ElasticMQ answer the SendMessage 0.84 s later (the release went ahead).
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'tasks.handler', '--profile', profile, '--timeout', '3', '--sqs', '--env', 'AFTER_RESPONSE_DEADLINE_MARGIN_MS=1500']);
    expect(exitCode, output).toBe(0);
    expect(line).toBe('ok: 1 invoke(s), each response posted; 1 job(s), 0 settled while held, none failed; 1 task(s) sent to their queue to continue; task send-report continued from its queue and completed on attempt 2');
    expect(output).toContain('sent to queue:   task send-report: it was still running when the deadline came');
    expect(output).toMatch(/batch 1: 1 record\(s\) \[send-report\], request id [\w-]+: deleted 1, left for redelivery 0/);
    expect(output).toContain('send-report done on attempt 2');
    expect(output).toContain('left in the queue: 0; in the DLQ: 0');
  });

  it('with --sqs, a task that failed and then completed from the queue: not FAILED, "recovered on attempt 2" (exit 0)', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'tasks.handler', '--profile', profile, '--timeout', '2', '--sqs', '--event', '{"mode":"flaky"}']);
    expect(exitCode, output).toBe(0);
    expect(line).toContain('task flaky-report recovered on attempt 2');
    expect(output).toContain('flaky-report done on attempt 2');
  });

  it('with --sqs, a runtime SIGKILLed during a write-ahead task: the death named (exit 1); the copy runs it again', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'tasks.handler', '--profile', profile, '--timeout', '2', '--sqs', '--event', '{"mode":"kill"}']);
    expect(exitCode, output).toBe(1);
    expect(line).toContain('the runtime process died during the invoke');
    expect(output).toContain('crash-report done on attempt 2');
  });

  it('a task past the deadline without a queue: named LOST in the verdict (exit 4) with the fix', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'tasks.handler', '--profile', profile, '--timeout', '2']);
    expect(exitCode, output).toBe(4);
    expect(line).toBe('FAILED: 1 of 1 invoke(s): invoke 1: 1 task send-report LOST (see its "task LOST" log line). Fix: give tasks a queue (AFTER_RESPONSE_TASK_QUEUE_URL; see docs/tasks.md, "Try tasks locally")');
  });

  it('a job blocking the event loop past the timeout: exit 3, no response body claimed, the environment reset', async () => {
    const { output, verdict: { line, exitCode } } = await runWithOutcome(['.', 'jobs.blocks', '--profile', profile, '--timeout', '2', '--times', '2']);
    expect(exitCode, output).toBe(3);
    expect(line).toMatch(/^FAILED: 2 of 2 invoke\(s\): invoke 1: timed out after 2\.00 s, after the response was posted \(no after-response summary: a job blocked the event loop\?\); invoke 2: timed out .*\. Fix: raise the timeout .*; or make long jobs honour `signal` .*; or split long synchronous work/);
    expect(output).toContain('response body:   not returned: the emulator answered "Task timed out after 2.00 seconds"');
    expect(output).toContain('invoke 2 of 2 (cold)'); // the timeout reset the environment
    expect(output).not.toContain('released:');
  });

  it('AFTER_RESPONSE_DISABLED=true with the layer: released at the runtime\'s next, said to be no extension\'s doing', async () => {
    const { output, verdict: { exitCode } } = await runWithOutcome(['.', 'index.handler', '--profile', profile, '--env', 'AFTER_RESPONSE_DISABLED=true']);
    expect(exitCode).toBe(0);
    expect(output).toContain("(the runtime's next: no extension registered, so nothing held the environment; see the layer's log line)");
    expect(output).not.toContain('released:        never');
    expect(output).toContain('AFTER_RESPONSE_DISABLED=true turned the extension off');
  });

  it('the function\'s /tmp: its private path named, what it left listed, and copied with --keep-tmp', async () => {
    const keep = mkdtempSync(join(COMMAND_TMP, 'keep-'));
    const listed = await run(['.', 'jobs.writes', '--profile', profile]);
    expect(listed).toMatch(/the function's \/tmp is private to the sandbox: \/.*\/tmp on this machine while it runs, removed at the end/);
    expect(listed).toContain("the function left 1 entry in its /tmp (report.json): that /tmp is private to the sandbox, not this machine's /tmp, and is removed with it; --keep-tmp DIR keeps a copy");
    const kept = await run(['.', 'jobs.writes', '--profile', profile, '--keep-tmp', keep]);
    expect(kept).toContain(`the function left 1 entry in its /tmp (report.json): copied to ${keep}`);
    expect(readFileSync(join(keep, 'report.json'), 'utf8')).toBe('{"rows":3}');
  });
});

describe('npm run invoke, the command', () => {
  it('exits 1 with a final line naming the failed invoke; its run dir removed', async () => {
    const { code, stdout, stderr } = await command([FN_DIR, 'index.nope', '--times', '2']);
    expect(code, stderr).toBe(1);
    expect(lastLine(stdout), stderr).toMatch(/^FAILED: 2 of 2 invoke\(s\): invoke 1: init error \(Runtime\.HandlerNotFound: index\.nope is undefined or not exported\); invoke 2: /);
    expect(runDirsLeft()).toEqual([]);
  });

  it('exits 5 when a job failed, the last line naming it; 0 with an ok line when all settled; its run dir removed', async () => {
    const failed = await command([FN_DIR, 'jobs.throws']);
    expect(failed.code, failed.stderr).toBe(5);
    expect(lastLine(failed.stdout)).toMatch(/^FAILED: 1 of 1 invoke\(s\): invoke 1: 2 jobs anonymous, asyncJob failed/);
    const ok = await command([FN_DIR, 'index.handler', '--times', '2']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lastLine(ok.stdout)).toBe('ok: 2 invoke(s), each response posted; 2 job(s), 2 settled while held, none failed');
    expect(runDirsLeft()).toEqual([]);
  });

  it('--help: the usage and every exit code, exit 0', async () => {
    const { code, stdout } = await command(['--help']);
    expect(code).toBe(0);
    for (const exit of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ', '130 ']) expect(stdout).toMatch(new RegExp(`^  ${exit}`, 'm'));
    expect(stdout).toContain("The function's /tmp is private to the sandbox");
  });

  it('options npm took as its own (no `--`): exit 2 with a "did you forget `--`?" hint, before anything starts', async () => {
    // What npm 11 hands the script for `npm run invoke <dir> jobs.throws --timeout 5 --no-layer`.
    const { code, stdout, stderr } = await command([FN_DIR, 'jobs.throws', '5'], { npm_config_timeout: 'true', npm_config_layer: '' });
    expect(code, stdout).toBe(2);
    expect(stderr).toContain('npm took `--no-layer`, `--timeout` as its own options and passed the command only their values: did you forget `--`?');
    expect(stderr).toContain('npm run invoke -- <function-dir> <file.handler> --no-layer --timeout …');
    expect(stdout).toBe('');
  });

  it('SIGTERM mid-invoke: the sandbox stopped, its run dir removed, exit 143', async () => {
    const child = spawn(VITE_NODE, ['test/demo/invoke.ts', '--', FN_DIR, 'jobs.overruns', '--timeout', '20'], { cwd: REPO_DIR, env: commandEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("the function's /tmp is private")) resolve(); // the sandbox runs; the invoke is in flight
      });
      child.on('exit', () => resolve());
    });
    const dirs = runDirsLeft();
    expect(dirs, stderr).toHaveLength(1);
    const sandboxes = registeredSandboxes(join(COMMAND_TMP, dirs[0] ?? ''));
    expect(processesOf(sandboxes).length, stdout).toBeGreaterThan(0); // RIE and the runtime, running
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(143);
    expect(stderr).toContain('npm run invoke: stopped by SIGTERM: the sandbox is stopped and its files removed');
    expect(runDirsLeft()).toEqual([]);
    expect(processesOf(sandboxes)).toEqual([]);
  });
});

describe('npm run invoke, the failure of an invoke', () => {
  const result = (over: Partial<InvokeResult>): InvokeResult => ({
    status: 200, body: '', json: () => undefined, requestId: 'r', startedAt: 0, returnedAt: 1, durationMs: 1, calls: [], ...over,
  });

  it('is named from any body and log lines without throwing; none when the response was posted', () => {
    fc.assert(fc.property(fc.string(), fc.array(fc.string()), (body, logLines) => {
      expect(invokeFailure(result({ body, responsePostedAt: 1 }), logLines)).toBeUndefined();
      expect(invokeFailure(result({ body, status: 502 }), logLines)).toMatch(/^no response posted \(status 502\)/);
    }));
    const line = 'ERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"bad \\q \\"quoted\\""}';
    expect(invokeFailure(result({ errorPostedAt: 1 }), [line])).toBe('function error (Error: bad \\q \\"quoted\\")');
    expect(invokeFailure(result({ errorPostedAt: 1 }), [line.replace('\\q ', '')])).toBe('function error (Error: bad "quoted")');
  });
});

describe('npm run invoke arguments', () => {
  it('names a missing dir, a missing handler file, unparseable events, and bad options', () => {
    expect(() => parseInvokeArgs(['./nope', 'index.handler'], FN_DIR)).toThrow(`function dir ${FN_DIR}/nope does not exist`);
    expect(() => parseInvokeArgs(['.', 'app.handler'], FN_DIR)).toThrow(`no handler file for "app.handler": none of app.js, app.mjs, app.cjs is in ${FN_DIR}`);
    expect(() => parseInvokeArgs(['.', 'index'], FN_DIR)).toThrow('Expected <file.handler> like `index.handler`');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--event', '{bad'], FN_DIR)).toThrow('`--event` (not a file, so read as JSON) "{bad" is not valid JSON');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--event', 'index.mjs'], FN_DIR)).toThrow(`the event file ${FN_DIR}/index.mjs is not valid JSON`);
    expect(() => parseInvokeArgs(['.', 'index.handler', '--profile', 'nodejs20.x'], FN_DIR)).toThrow('Expected `--profile` to be one of nodejs22.x, nodejs24.x, got "nodejs20.x"');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--times', '1.5'], FN_DIR)).toThrow('Expected `--times` to be a whole number from 1 to 100, got "1.5"');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--env', '=x'], FN_DIR)).toThrow('Expected `--env` to be KEY=VALUE, got "=x"');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--event'], FN_DIR)).toThrow('`--event` needs a value');
    expect(() => parseInvokeArgs(['.', 'index.handler', '--bogus'], FN_DIR)).toThrow('unknown option `--bogus`');
  });

  it('names an event file that does not exist rather than parsing its path as JSON', () => {
    for (const path of ['./missing.json', 'missing.json', '../missing', `${FN_DIR}/missing.json`]) {
      expect(() => parseInvokeArgs(['.', 'index.handler', '--event', path], FN_DIR)).toThrow(/^event file not found: \//);
    }
    expect(() => parseInvokeArgs(['.', 'index.handler', '--event', '~/missing.json'], FN_DIR)).toThrow(`event file not found: ${FN_DIR}/~/missing.json`);
    expect(() => parseInvokeArgs(['.', 'index.handler', '--event', '.'], FN_DIR)).toThrow(`event file ${FN_DIR} is not a file`);
    expect(parseInvokeArgs(['.', 'index.handler', '--event', '"a.json"'], FN_DIR).event).toBe('a.json'); // JSON, not a path
  });

  it('--memory: 128 to 10240 MB, default 512', () => {
    const memory = (...extra: string[]): number => parseInvokeArgs(['.', 'index.handler', ...extra], FN_DIR).memorySizeMb;
    expect(memory()).toBe(512);
    expect(memory('--memory', '128')).toBe(128);
    expect(memory('--memory', '10240')).toBe(10240);
    for (const bad of ['127', '10241', '256.5', 'abc', '', ' ']) {
      expect(() => memory('--memory', bad)).toThrow(`Expected \`--memory\` to be a whole number from 128 to 10240, got ${JSON.stringify(bad)}`);
    }
  });

  it('reads an event from a file or inline JSON, env pairs (a value may hold "="), and defaults', () => {
    expect(parseInvokeArgs(['.', 'index.handler', '--event', 'event.json', '--env', 'A=b=c', '--env', 'X='], FN_DIR)).toEqual({
      functionDir: FN_DIR, handler: 'index.handler', event: { order: 7 }, profile: 'nodejs24.x', layer: true, times: 1, timeoutSeconds: 30, memorySizeMb: 512, env: { A: 'b=c', X: '' }, keepTmp: undefined, sqs: false,
    });
    expect(parseInvokeArgs([FN_DIR, 'index.handler', '--event', '[1,2]'], '/').event).toEqual([1, 2]);
  });
});
