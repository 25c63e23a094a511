import { describe, expect, it } from 'vitest';
import { parseConfig, SETTINGS } from '../../extension/core/config.ts';

describe('parseConfig', () => {
  it('uses documented defaults when nothing is set', () => {
    const { config, problems } = parseConfig({});
    expect(problems).toEqual([]);
    expect(config).toEqual({ deadlineMarginMs: 500, abortGraceMs: 250, concurrency: Infinity, logLevel: 'INFO', disabled: false, fallbackIdleMs: 100, requestContexts: ['next'], managedInstances: false, metrics: 'off', metricsNamespace: 'LambdaAfterResponse', attribution: 'async-context', mallocTrim: true });
  });

  it('reads AFTER_RESPONSE_MALLOC_TRIM as a boolean, and names a bad value', () => {
    expect(parseConfig({ AFTER_RESPONSE_MALLOC_TRIM: ' FALSE ' }).config.mallocTrim).toBe(false);
    expect(parseConfig({ AFTER_RESPONSE_MALLOC_TRIM: 'Off' }).config.mallocTrim).toBe(false);
    expect(parseConfig({ AFTER_RESPONSE_MALLOC_TRIM: 'on' }).config.mallocTrim).toBe(true);
    const { config, problems } = parseConfig({ AFTER_RESPONSE_MALLOC_TRIM: 'no' });
    expect(config.mallocTrim).toBe(true);
    expect(problems).toEqual(['Expected `AFTER_RESPONSE_MALLOC_TRIM` to be `true` or `false` (or `on` / `off`), got "no"; using the default true']);
  });

  it('reads AFTER_RESPONSE_ATTRIBUTION in any case, and names a bad value', () => {
    expect(parseConfig({ AFTER_RESPONSE_ATTRIBUTION: ' Invoke ' }).config.attribution).toBe('invoke');
    expect(parseConfig({ AFTER_RESPONSE_ATTRIBUTION: 'async-context' }).config.attribution).toBe('async-context');
    const { config, problems } = parseConfig({ AFTER_RESPONSE_ATTRIBUTION: 'request' });
    expect(config.attribution).toBe('async-context');
    expect(problems).toEqual(['Expected `AFTER_RESPONSE_ATTRIBUTION` to be `async-context` or `invoke`, got "request"; using the default async-context']);
  });

  it('reads every variable when valid', () => {
    const { config, problems } = parseConfig({
      AFTER_RESPONSE_DEADLINE_MARGIN_MS: '250', AFTER_RESPONSE_CONCURRENCY: '4', AFTER_RESPONSE_LOG_LEVEL: 'debug',
      AFTER_RESPONSE_DISABLED: 'TRUE', AFTER_RESPONSE_FALLBACK_IDLE_MS: '30',
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ deadlineMarginMs: 250, concurrency: 4, logLevel: 'DEBUG', disabled: true, fallbackIdleMs: 30 });
  });

  it('rejects a bad value with a message naming the variable and the value, and keeps the default', () => {
    const { config, problems } = parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: 'soon', AFTER_RESPONSE_CONCURRENCY: '0' });
    expect(config.deadlineMarginMs).toBe(500);
    expect(config.concurrency).toBe(Infinity);
    expect(problems).toEqual([
      'Expected `AFTER_RESPONSE_DEADLINE_MARGIN_MS` to be an integer from 50 to 60000, got "soon"; using the default 500',
      'Expected `AFTER_RESPONSE_CONCURRENCY` to be `Infinity` or an integer from 1 to 1000000, got "0"; using the default Infinity',
    ]);
  });

  it('rejects margins too small to release in time and fractional numbers', () => {
    expect(parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: '10' }).problems).toHaveLength(1);
    expect(parseConfig({ AFTER_RESPONSE_FALLBACK_IDLE_MS: '1.5' }).problems).toHaveLength(1);
  });

  it('rejects unknown log levels and booleans other than true or false', () => {
    const { problems } = parseConfig({ AFTER_RESPONSE_LOG_LEVEL: 'LOUD', AFTER_RESPONSE_DISABLED: 'yes' });
    expect(problems[0]).toContain('`AFTER_RESPONSE_LOG_LEVEL` to be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got "LOUD"');
    expect(problems[1]).toContain('`AFTER_RESPONSE_DISABLED` to be `true` or `false`, got "yes"');
  });

  it("inherits Lambda's AWS_LAMBDA_LOG_LEVEL only in the JSON log format", () => {
    expect(parseConfig({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' }).config.logLevel).toBe('WARN');
    expect(parseConfig({ AWS_LAMBDA_LOG_FORMAT: 'Text', AWS_LAMBDA_LOG_LEVEL: 'WARN' }).config.logLevel).toBe('INFO');
    expect(parseConfig({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN', AFTER_RESPONSE_LOG_LEVEL: 'ERROR' }).config.logLevel).toBe('ERROR');
  });

  it('names AWS_LAMBDA_LOG_LEVEL when the inherited level is the bad one', () => {
    expect(parseConfig({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'nope' }).problems[0]).toContain('`AWS_LAMBDA_LOG_LEVEL`');
  });

  it('reads the metrics switch and namespace, and rejects what CloudWatch would refuse', () => {
    expect(parseConfig({ AFTER_RESPONSE_METRICS: ' EMF ', AFTER_RESPONSE_METRICS_NAMESPACE: 'Team/Orders app' }).config).toMatchObject({ metrics: 'emf', metricsNamespace: 'Team/Orders app' });
    const { config, problems } = parseConfig({ AFTER_RESPONSE_METRICS: 'prometheus', AFTER_RESPONSE_METRICS_NAMESPACE: 'AWS/Lambda' });
    expect(config).toMatchObject({ metrics: 'off', metricsNamespace: 'LambdaAfterResponse' });
    expect(problems).toEqual([
      'Expected `AFTER_RESPONSE_METRICS` to be `emf` or `off`, got "prometheus"; using the default off',
      'Expected `AFTER_RESPONSE_METRICS_NAMESPACE` to be 1–255 letters, digits, spaces or `.-_/#:`, not starting with `AWS/`, got "AWS/Lambda"; using the default LambdaAfterResponse',
    ]);
    for (const bad of ['x'.repeat(256), 'naïve', 'a{b}']) expect(parseConfig({ AFTER_RESPONSE_METRICS_NAMESPACE: bad }).problems).toHaveLength(1);
  });

  it('detects Lambda Managed Instances', () => {
    expect(parseConfig({ AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' }).config.managedInstances).toBe(true);
    expect(parseConfig({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }).config.managedInstances).toBe(false);
    // RIC 4 runs worker threads on this variable alone.
    expect(parseConfig({ AWS_LAMBDA_MAX_CONCURRENCY: '4' }).config.managedInstances).toBe(true);
  });

  it('keeps the abort grace inside the margin', () => {
    expect(parseConfig({ AFTER_RESPONSE_ABORT_GRACE_MS: '100' })).toMatchObject({ config: { abortGraceMs: 100 }, problems: [] });
    expect(parseConfig({ AFTER_RESPONSE_DEADLINE_MARGIN_MS: '200' })).toMatchObject({ config: { abortGraceMs: 100 }, problems: [] });
    const { config, problems } = parseConfig({ AFTER_RESPONSE_ABORT_GRACE_MS: '480' });
    expect(config.abortGraceMs).toBe(250);
    expect(problems).toEqual(['Expected `AFTER_RESPONSE_ABORT_GRACE_MS` to be at least 50 ms below AFTER_RESPONSE_DEADLINE_MARGIN_MS (500), got "480"; using half the margin, 250']);
  });

  it('only defines AFTER_RESPONSE_ variables', () => {
    for (const setting of SETTINGS) expect(setting.name).toMatch(/^AFTER_RESPONSE_[A-Z_]+$/);
  });
});

describe('AFTER_RESPONSE_REQUEST_CONTEXT', () => {
  const parse = (raw: string) => parseConfig({ AFTER_RESPONSE_REQUEST_CONTEXT: raw });

  it('defaults to next; reads a comma list in any case and spacing; none provides nothing', () => {
    expect(parseConfig({}).config.requestContexts).toEqual(['next']);
    expect(parse('vercel').config.requestContexts).toEqual(['vercel']);
    expect(parse(' Vercel , next ')).toMatchObject({ config: { requestContexts: ['next', 'vercel'] }, problems: [] });
    expect(parse('next,next').config.requestContexts).toEqual(['next']);
    expect(parse('none')).toMatchObject({ config: { requestContexts: [] }, problems: [] });
  });

  it('rejects unknown names, none mixed with others, and empty items, naming them; keeps the default', () => {
    expect(parse('next,nxt')).toEqual({ config: expect.objectContaining({ requestContexts: ['next'] }), problems: ['Expected `AFTER_RESPONSE_REQUEST_CONTEXT` to be a comma list of next, vercel, or `none` alone (not "nxt"), got "next,nxt"; using the default next'] });
    expect(parse('none,vercel').problems[0]).toContain('(not "none")');
    expect(parse('next,').problems[0]).toContain('(not "")');
    // A single unknown item is the whole value, already quoted after `got`: named once.
    expect(parse('bogus').problems).toEqual(['Expected `AFTER_RESPONSE_REQUEST_CONTEXT` to be a comma list of next, vercel, or `none` alone, got "bogus"; using the default next']);
    expect(parse('true').config.requestContexts).toEqual(['next']);
  });
});
