// `npm run invoke`'s core (test/demo/invoke-function.ts) on a user-like function dir, both
// profiles: the report names the response, its body, the release and the function's log lines.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseInvokeArgs } from '../demo/invoke-args.ts';
import { invokeFunction } from '../demo/invoke-function.ts';
import { PROFILES } from './product-helpers.ts';

const FN_DIR = fileURLToPath(new URL('../fixtures/invoke-fn', import.meta.url));

async function run(args: string[]): Promise<string> {
  const lines: string[] = [];
  await invokeFunction(parseInvokeArgs(args, FN_DIR), (line) => void lines.push(line));
  return lines.join('\n');
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
      // The job sleeps 300 ms after the response: the release comes after it.
      expect(figure(output, n, 'released') - figure(output, n, 'response posted')).toBeGreaterThanOrEqual(290);
    }
    expect(output).toContain('INFO\thandling order 7');
    expect(output).toContain('INFO\treceipt sent for order 7');
    expect(output).toMatch(/"message":"after-response summary".*"outcome":"settled","enqueued":1/);
    expect(output).not.toContain('(rapid)'); // the emulator's own lines are left out
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

  it('reads an event from a file or inline JSON, env pairs (a value may hold "="), and defaults', () => {
    expect(parseInvokeArgs(['.', 'index.handler', '--event', 'event.json', '--env', 'A=b=c', '--env', 'X='], FN_DIR)).toEqual({
      functionDir: FN_DIR, handler: 'index.handler', event: { order: 7 }, profile: 'nodejs24.x', layer: true, times: 1, timeoutSeconds: 30, env: { A: 'b=c', X: '' },
    });
    expect(parseInvokeArgs([FN_DIR, 'index.handler', '--event', '[1,2]'], '/').event).toEqual([1, 2]);
  });
});
