// `npm run invoke`'s argument handling before anything starts: options npm took as its own for
// lack of `--`, `--help`, `--keep-tmp`, and any argv failing with a message rather than a crash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { forgotDashDash, HELP, optionsTakenByNpm, parseInvokeArgs, wantsHelp } from '../demo/invoke-args.ts';
import { drainBudgetMs, visibilityTimeoutSeconds } from '../demo/invoke-sqs.ts';

const FN_DIR = fileURLToPath(new URL('../fixtures/invoke-fn', import.meta.url));
const OPTIONS = ['event', 'profile', 'layer', 'times', 'timeout', 'memory', 'env', 'keep-tmp'] as const;
const flagOf = (name: string): string => (name === 'layer' ? '--no-layer' : `--${name}`);
const scratch = mkdtempSync(join(tmpdir(), 'lar-invoke-args-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('optionsTakenByNpm', () => {
  it('names the options npm exported as npm_config_* (what `npm run invoke <dir> <handler> --timeout 5` leaves), in a fixed order', () => {
    const env = { npm_config_timeout: 'true', npm_config_layer: '', npm_config_keep_tmp: 'true', npm_config_cache: '/root/.npm' };
    expect(optionsTakenByNpm(['./fn', 'index.handler', '5', 'out'], env)).toEqual(['--no-layer', '--timeout', '--keep-tmp']);
    expect(forgotDashDash(['--timeout'])).toMatch(/^npm took `--timeout` as its own option and passed the command only its value: did you forget `--`\? npm passes options on only after it:\n {2}npm run invoke -- <function-dir> <file.handler> --timeout …\nusage:/);
  });

  it('any env and argv: exactly the options with a npm_config_* variable that are not in argv', () => {
    fc.assert(fc.property(fc.subarray([...OPTIONS]), fc.subarray([...OPTIONS]), fc.dictionary(fc.string(), fc.string()), (exported, passed, other) => {
      const env: Record<string, string> = { ...other };
      for (const name of OPTIONS) delete env[`npm_config_${name.replace('-', '_')}`];
      for (const name of exported) env[`npm_config_${name.replace('-', '_')}`] = name === 'layer' ? '' : 'true';
      const argv = ['.', 'index.handler', ...passed.map(flagOf)];
      expect(optionsTakenByNpm(argv, env)).toEqual(OPTIONS.filter((n) => exported.includes(n) && !passed.includes(n)).map(flagOf));
    }));
  });
});

describe('--help', () => {
  it('is asked for by --help or -h anywhere; the text lists every exit code and says where the function\'s files are', () => {
    expect(wantsHelp(['.', 'index.handler', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['.', 'index.handler', '--event', 'help.json'])).toBe(false);
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(HELP).toMatch(new RegExp(`^ {2}${code} `, 'm'));
    expect(HELP).toContain("The function's /tmp is private to the sandbox, not this machine's /tmp");
  });
});

describe('--keep-tmp', () => {
  it('is a directory, new or existing, relative to the caller\'s directory; a file is refused', () => {
    const keep = (value: string): string | undefined => parseInvokeArgs(['.', 'index.handler', '--keep-tmp', value], FN_DIR).keepTmp;
    expect(parseInvokeArgs(['.', 'index.handler'], FN_DIR).keepTmp).toBeUndefined();
    expect(keep('out')).toBe(join(FN_DIR, 'out'));
    expect(keep(scratch)).toBe(scratch);
    writeFileSync(join(scratch, 'a-file'), '');
    expect(() => keep(join(scratch, 'a-file'))).toThrow(`Expected \`--keep-tmp\` to be a directory (new or existing), got the file ${join(scratch, 'a-file')}`);
    expect(() => parseInvokeArgs(['.', 'index.handler', '--keep-tmp'], FN_DIR)).toThrow('`--keep-tmp` needs a value');
  });
});

describe('--sqs', () => {
  it('asks for a local task queue (off by default), takes no value, and is named when npm took it', () => {
    expect(parseInvokeArgs(['.', 'index.handler'], FN_DIR).sqs).toBe(false);
    expect(parseInvokeArgs(['.', 'index.handler', '--sqs', '--times', '2'], FN_DIR)).toMatchObject({ sqs: true, times: 2 });
    expect(optionsTakenByNpm(['.', 'index.handler'], { npm_config_sqs: 'true' })).toEqual(['--sqs']);
    expect(HELP).toMatch(/^ {2}--sqs {14}tasks get a real queue/m);
  });

  it("its queue's visibility timeout is 6 × the function timeout (what docs/tasks.md requires), and the drain outlasts every receive up to the DLQ", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 900 }), (timeout) => {
      expect(visibilityTimeoutSeconds(timeout)).toBeGreaterThanOrEqual(6 * timeout);
      expect(drainBudgetMs(timeout)).toBeGreaterThan(3 * (visibilityTimeoutSeconds(timeout) + timeout) * 1000);
    }));
  });
});

describe('docs/getting-started.md', () => {
  it('its options table names every option of the command', () => {
    const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'getting-started.md'), 'utf8');
    const documented = new Set([...page.matchAll(/^\| `--([a-z-]+)/gm)].map((m) => m[1]));
    expect(HELP.match(/^ {2}--[a-z-]+/gm)?.map((o) => o.trim().slice(2)).filter((o) => !documented.has(o) && o !== 'help')).toEqual([]);
  });
});

describe('parseInvokeArgs', () => {
  it('any argv: options, or an Error with a message (never a crash of another kind)', () => {
    const arg = fc.oneof(fc.string(), fc.constantFrom('.', 'index.handler', '--event', '--times', '--timeout', '--memory', '--env', '--profile', '--keep-tmp', '--no-layer', '{}', '0', '7'));
    fc.assert(fc.property(fc.array(arg, { maxLength: 8 }), (argv) => {
      try {
        expect(parseInvokeArgs(argv, FN_DIR).handler).toBeTypeOf('string');
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message.length).toBeGreaterThan(0);
      }
    }));
  });
});
