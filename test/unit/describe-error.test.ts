import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeError, MAX_MESSAGE_LENGTH } from '../../shared/describe-error.ts';
import { createLogger } from '../../shared/log-line.ts';

/** Values built to break naive describing: hostile getters, Proxies, toString that throws or lies. */
/** Factories, not values: fast-check itself probes generated values (`in`), which hostile Proxies throw on. */
const HOSTILE: ReadonlyArray<() => unknown> = [
  Object.create(null),
  Object.assign(Object.create(null), { message: 'no prototype', stack: 5 }),
  new Proxy({}, { get: () => { throw new Error('get trap'); }, getPrototypeOf: () => { throw new Error('proto trap'); }, has: () => { throw new Error('has trap'); } }),
  (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })(),
  { toString: () => { throw new Error('toString throws'); } },
  { toString: () => ({}) , valueOf: () => ({}) },
  Object.defineProperty(new Error('getter'), 'message', { get: () => { throw new Error('message getter'); } }),
  Object.defineProperty(new Error('stack'), 'stack', { get: () => { throw new Error('stack getter'); } }),
  Object.assign(new Error('odd name'), { name: Symbol('sym') }),
  Symbol('a symbol'),
  10n ** 30n,
  () => 'a function',
  new Error('x'.repeat(MAX_MESSAGE_LENGTH + 10)),
  (() => { const e = new Error('circular') as Error & { self?: unknown }; e.self = e; return e; })(),
].map((value) => () => value);
// Proxies are made fresh per run (a revoked one cannot be reused meaningfully either way).
const hostile = fc.nat(HOSTILE.length - 1).map((index) => ({ make: HOSTILE[index] ?? (() => undefined) }));

const anyThrown = fc.oneof(
  fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true, withSparseArray: true }).map((value) => ({ make: () => value })),
  hostile,
);

describe('describeError: total over anything a user can throw', () => {
  it('never throws and always returns strings and an array of strings', () => {
    fc.assert(fc.property(anyThrown, ({ make }) => {
      const described = describeError(make());
      expect(typeof described.errorType).toBe('string');
      expect(typeof described.errorMessage).toBe('string');
      expect(described.errorMessage.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH + 10);
      expect(described.stackTrace.every((line) => typeof line === 'string')).toBe(true);
    }), { numRuns: 2000 });
  });

  it('the logger writes exactly one JSON line for any described value', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line) });
    fc.assert(fc.property(anyThrown, ({ make }) => {
      lines.length = 0;
      logger.log('ERROR', 'job failed', { job: 'j', ...describeError(make()) });
      expect(lines).toHaveLength(1);
      expect(() => JSON.parse(lines[0] ?? '')).not.toThrow();
    }), { numRuns: 1000 });
  });

  it('keeps what Lambda users read: type, message and frames of an Error; the type of a primitive', () => {
    expect(describeError(new RangeError('bad'))).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad' });
    expect(describeError(new RangeError('bad')).stackTrace.length).toBeGreaterThan(0);
    expect(describeError('plain string')).toEqual({ errorType: 'string', errorMessage: 'plain string', stackTrace: [] });
    expect(describeError(Object.create(null))).toMatchObject({ errorType: 'object', errorMessage: '{}' });
    expect(describeError(undefined)).toEqual({ errorType: 'undefined', errorMessage: '', stackTrace: [] });
  });

  it('a logger whose output fails, or whose fields cannot be serialised, does not throw', () => {
    const failing = createLogger({ write: () => { throw new Error('EPIPE'); } });
    expect(() => failing.log('ERROR', 'x')).not.toThrow();
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line) });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.log('INFO', 'circular', { circular });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ message: 'circular', fieldsDropped: expect.stringContaining('serialised') });
  });
});

describe('describeError: a thrown plain object', () => {
  it('is rendered JSON-ish, not as [object Object]', () => {
    expect(describeError({ code: 7 })).toEqual({ errorType: 'Object', errorMessage: '{"code":7}', stackTrace: [] });
    expect(describeError({ a: 'x', b: null, c: undefined, d: [1, 2], e: { deep: 1 }, f: 10n, g: () => 1, h: new Date(0) }).errorMessage)
      .toBe('{"a":"x","b":null,"c":undefined,"d":[Array(2)],"e":[Object],"f":10n,"g":[Function],"h":[Date]}');
  });

  it('is bounded whatever its size, and falls back when a getter throws', () => {
    const huge = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'.repeat(10_000)]));
    const { errorMessage } = describeError(huge);
    expect(errorMessage.length).toBeLessThan(5000);
    expect(errorMessage).toMatch(/… 9980 more keys}$/);
    const getter = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('getter'); } });
    expect(describeError(getter).errorMessage).toBe('{"x":undefined}');
    const selfRef: Record<string, unknown> = {};
    selfRef.self = selfRef;
    expect(describeError(selfRef).errorMessage).toBe('{"self":[Object]}');
  });

  it('any plain object renders as braces, never throwing', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.anything({ withBigInt: true, withNullPrototype: true })), (value) => {
      expect(describeError(value).errorMessage).toMatch(/^\{.*\}$/s);
    }), { numRuns: 500 });
  });
});
