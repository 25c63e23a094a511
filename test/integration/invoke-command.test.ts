// `npm run invoke`'s core (test/demo/invoke-function.ts) on a user-like function dir, both
// profiles: the report names the response, its body, the release and the function's log lines;
// failed invokes (a wrong handler export) are named and make the command exit 1.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInvokeArgs } from '../demo/invoke-args.ts';
import { invokeFunction } from '../demo/invoke-function.ts';
import { invokeFailure } from '../demo/invoke-report.ts';
import type { InvokeResult } from '../rig/sandbox.ts';
import { runDirVariable } from '../rig/run-dir.ts';
import { PROFILES } from './product-helpers.ts';

const FN_DIR = fileURLToPath(new URL('../fixtures/invoke-fn', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));

async function runWithOutcome(args: string[]): Promise<{ output: string; failures: readonly string[] }> {
  const lines: string[] = [];
  const { failures } = await invokeFunction(parseInvokeArgs(args, FN_DIR), (line) => void lines.push(line));
  return { output: lines.join('\n'), failures };
}

async function run(args: string[]): Promise<string> {
  const { output, failures } = await runWithOutcome(args);
  expect(failures).toEqual([]);
  return output;
}

/** The test's env without the rig's run dir: the command makes (and removes) its own. (npx sets INIT_CWD itself.) */
function commandEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: FN_DIR };
  delete env[runDirVariable];
  return env;
}

/** The command itself (vite-node test/demo/invoke.ts), as `npm run invoke` runs it after the build. */
function command(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('npx', ['vite-node', 'test/demo/invoke.ts', '--', ...args], { cwd: REPO_DIR, env: commandEnv() }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}

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
    const { output, failures } = await runWithOutcome(['.', 'index.nope', '--profile', profile]);
    expect(failures).toEqual(['invoke 1: init error (Runtime.HandlerNotFound: index.nope is undefined or not exported)']);
    expect(output).toContain('FAILED:          init error (Runtime.HandlerNotFound: index.nope is undefined or not exported)');
    expect(output).not.toContain('released:');
  });

  it('a handler that throws: named as a function error with the error\'s type and message', async () => {
    const { output, failures } = await runWithOutcome(['.', 'fails.handler', '--profile', profile]);
    expect(failures).toEqual(['invoke 1: function error (TypeError: card declined)']);
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
});

describe('npm run invoke, the command', () => {
  it('exits 1 with a final line naming the failed invoke', async () => {
    const { code, stdout, stderr } = await command([FN_DIR, 'index.nope', '--times', '2']);
    expect(code, stderr).toBe(1);
    expect(stdout.trimEnd().split('\n').at(-1), stderr).toMatch(/^FAILED: 2 of 2 invoke\(s\): invoke 1: init error \(Runtime\.HandlerNotFound: index\.nope is undefined or not exported\); invoke 2: /);
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
      functionDir: FN_DIR, handler: 'index.handler', event: { order: 7 }, profile: 'nodejs24.x', layer: true, times: 1, timeoutSeconds: 30, memorySizeMb: 512, env: { A: 'b=c', X: '' },
    });
    expect(parseInvokeArgs([FN_DIR, 'index.handler', '--event', '[1,2]'], '/').event).toEqual([1, 2]);
  });
});
