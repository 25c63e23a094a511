// Any value a user can set: parseConfig never throws, names each rejected variable once (with the
// value it uses instead, which is the value it returns), and a blank value counts as unset.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../../client/client.ts';
import { clientLogLevel } from '../../shared/log-level.ts';
import { parseConfig, SETTINGS, type Config } from '../../extension/core/config.ts';

const NAMES = [...SETTINGS.map((s) => s.name), 'AWS_LAMBDA_LOG_LEVEL', 'AWS_LAMBDA_LOG_FORMAT'];
/** Values a user might write: blanks, numbers in and out of range, levels, words, and anything at all. */
const rawValue = fc.oneof(
  fc.constantFrom('', ' ', '\t', 'JSON', 'Text', 'debug', 'WARN', ' error ', 'true', 'FALSE', 'emf', 'none', 'next,vercel', 'Infinity', '-1', '1e3', '0x10', '1.5'),
  fc.integer({ min: -10, max: 70_000 }).map(String),
  fc.integer({ min: 0, max: 700 }).map(String), // margins and graces near each other
  fc.string(),
);
const envArb = fc.dictionary(fc.constantFrom(...NAMES), rawValue);

/** What a problem says it uses instead: "using the default X" or "using half the margin, X". */
const usedInstead = (problem: string): string | undefined => /; using (?:the default |half the margin, |the margin − 50 ms, )(.*)$/.exec(problem)?.[1];
const shown = (value: Config[keyof Config]): string => String(value);

describe('parseConfig over any values', () => {
  it('never throws; each problem names one variable, once, with the value it then uses', () => {
    fc.assert(fc.property(envArb, (env) => {
      const { config, problems } = parseConfig(env);
      const named = problems.map((problem) => NAMES.filter((name) => problem.startsWith(`Expected \`${name}\``)));
      for (const names of named) expect(names).toHaveLength(1);
      const flat = named.flat();
      expect(new Set(flat).size).toBe(flat.length); // one clear ERROR per problem, never two about one variable
      problems.forEach((problem, i) => {
        const setting = SETTINGS.find((s) => s.name === flat[i]) ?? SETTINGS.find((s) => s.key === 'logLevel')!;
        expect(problem).toContain(`got ${JSON.stringify(env[flat[i]!])}`);
        expect(usedInstead(problem)).toBe(shown(config[setting.key]));
      });
    }), { numRuns: 2000 });
  });

  it('the values chosen are the documented ones: blank is unset, a rejected value gets the default, the grace stays 50 ms inside the margin', () => {
    fc.assert(fc.property(envArb, (env) => {
      const { config, problems } = parseConfig(env);
      const rejected = (name: string): boolean => problems.some((p) => p.startsWith(`Expected \`${name}\``));
      for (const setting of SETTINGS) {
        if (setting.key === 'logLevel' || setting.key === 'abortGraceMs') continue;
        const raw = env[setting.name];
        if (raw === undefined || raw.trim() === '' || rejected(setting.name)) expect(config[setting.key]).toEqual(setting.default);
      }
      const margin = config.deadlineMarginMs;
      const graceRaw = env.AFTER_RESPONSE_ABORT_GRACE_MS;
      const graceProblem = problems.find((p) => p.startsWith('Expected `AFTER_RESPONSE_ABORT_GRACE_MS`'));
      const graceBlank = graceRaw === undefined || graceRaw.trim() === '';
      if (!graceBlank && !graceProblem) expect(config.abortGraceMs).toBe(Number(graceRaw)); // accepted as given
      const half = Math.min(Math.floor(margin / 2), margin - 50); // half the margin, 50 ms below it at most
      if (graceProblem?.includes('at least 50 ms below')) expect(config.abortGraceMs).toBe(half); // too long
      else if (graceBlank || graceProblem) expect(config.abortGraceMs).toBe(250 <= margin - 50 ? 250 : half); // unset or invalid: the default, if it fits
      expect(config.abortGraceMs).toBeLessThanOrEqual(margin - 50); // whatever was set: the documented rule holds
    }), { numRuns: 2000 });
  });

  it('a value accepted with spaces around it is the same as without', () => {
    fc.assert(fc.property(fc.constantFrom(...SETTINGS), fc.integer({ min: 60, max: 59_000 }), (setting, n) => {
      const plain = parseConfig({ [setting.name]: String(n) });
      const spaced = parseConfig({ [setting.name]: ` ${n} ` });
      expect(spaced.config).toEqual(plain.config);
      expect(spaced.problems).toHaveLength(plain.problems.length);
    }));
  });
});

describe('blank values count as unset', () => {
  it.each(['', ' ', '\t'])('AFTER_RESPONSE_LOG_LEVEL=%j inherits AWS_LAMBDA_LOG_LEVEL (JSON format), in the extension and the client', (blank) => {
    const env = { AFTER_RESPONSE_LOG_LEVEL: blank, AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'warn' };
    expect(parseConfig(env)).toMatchObject({ config: { logLevel: 'WARN' }, problems: [] });
    expect(clientLogLevel(env)).toBe('WARN');
  });

  it('a blank AWS_LAMBDA_LOG_LEVEL is unset too: INFO, no problem', () => {
    expect(parseConfig({ AFTER_RESPONSE_LOG_LEVEL: '', AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: '' })).toMatchObject({ config: { logLevel: 'INFO' }, problems: [] });
  });

  it('a blank number or switch is unset: the default, no problem', () => {
    expect(parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: ' ', AFTER_RESPONSE_DISABLED: ' ', AFTER_RESPONSE_CONCURRENCY: '\t' })).toMatchObject({ config: { deadlineMarginMs: 500, disabled: false, concurrency: Infinity }, problems: [] });
  });
});

describe('the abort grace and a small margin', () => {
  it('an invalid grace with a margin under 300 ms: one ERROR, which says the value actually used', () => {
    const { config, problems } = parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: '200', AFTER_RESPONSE_ABORT_GRACE_MS: 'abc' });
    expect(config.abortGraceMs).toBe(100);
    expect(problems).toEqual(['Expected `AFTER_RESPONSE_ABORT_GRACE_MS` to be an integer from 0 to 59950, got "abc"; using half the margin, 100']);
  });

  it('an invalid margin and a grace that fits the default margin: one ERROR, about the margin', () => {
    expect(parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: 'soon', AFTER_RESPONSE_ABORT_GRACE_MS: '300' })).toMatchObject({
      config: { deadlineMarginMs: 500, abortGraceMs: 300 },
      problems: ['Expected `AFTER_RESPONSE_DEADLINE_MARGIN_MS` to be an integer from 50 to 60000, got "soon"; using the default 500'],
    });
  });
});

describe("the client's own logger (no layer, a Node child process)", () => {
  it('follows AFTER_RESPONSE_LOG_LEVEL, then AWS_LAMBDA_LOG_LEVEL in the JSON format, else INFO', () => {
    expect(clientLogLevel({})).toBe('INFO');
    expect(clientLogLevel({ AFTER_RESPONSE_LOG_LEVEL: 'error' })).toBe('ERROR');
    expect(clientLogLevel({ AWS_LAMBDA_LOG_FORMAT: 'Text', AWS_LAMBDA_LOG_LEVEL: 'ERROR' })).toBe('INFO');
    expect(clientLogLevel({ AFTER_RESPONSE_LOG_LEVEL: 'LOUD' })).toBe('INFO');
  });

  it("is the default logger's level: AFTER_RESPONSE_LOG_LEVEL=ERROR drops the no-layer WARN, keeps a job's failure", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const client = createClient({ global: {}, env: { AFTER_RESPONSE_LOG_LEVEL: 'ERROR' } });
      client.enqueueAfterResponse(() => Promise.reject(new Error('boom')), { name: 'bad' });
      await client.drainAfterResponse();
    } finally {
      spy.mockRestore();
    }
    const levels = lines.filter((l) => l.includes('"source":"lambda-after-response"')).map((l) => (JSON.parse(l) as { level: string; message: string }).level);
    expect(levels).toEqual(['ERROR']);
  });
});
