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

  it('writes a BigInt field, at any depth, as its digits, and keeps every other field (any values)', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line) });
    const digits = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.anything({ withBigInt: true, withNullPrototype: true })), fc.bigInt(), (fields, big) => {
      lines.length = 0;
      logger.log('INFO', 'fields', { ...fields, nested: { big: [big] } });
      expect(lines).toHaveLength(1);
      const line: unknown = JSON.parse(lines[0] ?? '');
      expect(line).not.toHaveProperty('fieldsDropped');
      expect(line).toMatchObject(JSON.parse(JSON.stringify({ ...fields, nested: { big: [big] } }, digits)) as object);
    }), { numRuns: 500 });
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

/** Error constructors a job may throw, built-in and user-defined (named by `name` or not). */
const BUILT_IN = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError] as const;
const errorOf = fc.oneof(
  fc.constantFrom(...BUILT_IN).map((Ctor) => ({ make: (message: string) => new Ctor(message), type: Ctor.name })),
  // A subclass that sets `name`, as user errors do: described by it.
  fc.stringMatching(/^[A-Z][A-Za-z]{0,20}Error$/).map((name) => ({
    make: (message: string) => Object.assign(new (class extends Error {})(message), { name }),
    type: name,
  })),
  // One that does not: `name` is inherited from Error.prototype, as Lambda's own error JSON reports it.
  fc.constant({ make: (message: string) => new (class CustomError extends RangeError {})(message), type: 'RangeError' }),
);
const message = fc.string({ maxLength: 200 }).filter((m) => !m.includes('\n'));

/**
 * Defines a throwing getter for each key on `target`. `stack` first: V8 formats an Error's stack
 * when it is redefined, which reads `message`, so the other way round the definition throws.
 */
function throwingGetters<T extends object>(target: T, keys: readonly string[]): T {
  for (const key of [...keys].sort((a, b) => Number(b === 'stack') - Number(a === 'stack'))) Object.defineProperty(target, key, { configurable: true, get: () => { throw new Error(`${key} getter`); } });
  return target;
}

/** A Proxy whose every trap throws, around an object, an array, a function or an Error. */
const hostileProxy = fc.constantFrom<() => object>(() => ({}), () => [], () => function target() {}, () => new TypeError('inside')).map((target) => ({
  make: () => new Proxy(target(), Object.fromEntries(['get', 'getPrototypeOf', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'apply'].map((trap) => [trap, () => { throw new Error(`${trap} trap`); }]))),
  type: typeof target() === 'function' ? 'function' : 'object',
}));
const revokedProxy = fc.constantFrom<() => object>(() => ({}), () => [], () => function target() {}, () => new Error('inside')).map((target) => ({
  make: () => {
    const { proxy, revoke } = Proxy.revocable(target(), {});
    revoke();
    return proxy;
  },
  type: typeof target() === 'function' ? 'function' : 'object',
}));

describe('describeError: what it says about ordinary and odd values (never the `unknown` fallback)', () => {
  it('describes any thrown value without its last-resort fallback', () => {
    fc.assert(fc.property(anyThrown, ({ make }) => {
      expect(describeError(make())).not.toMatchObject({ errorType: 'unknown' });
    }), { numRuns: 2000 });
  });

  it('an Error or a subclass: its name, its message, its frames', () => {
    fc.assert(fc.property(errorOf, message, ({ make, type }, text) => {
      const described = describeError(make(text));
      expect(described).toMatchObject({ errorType: type, errorMessage: text });
      expect(described.stackTrace.some((frame) => frame.startsWith('at '))).toBe(true);
    }), { numRuns: 300 });
  });

  it('an Error whose getters throw: what can still be read, and the constructor where the name cannot', () => {
    const getters = fc.subarray(['name', 'message', 'stack', 'constructor', 'cause']);
    fc.assert(fc.property(fc.constantFrom(...BUILT_IN), message, getters, (Ctor, text, keys) => {
      const described = describeError(throwingGetters(new Ctor(text, { cause: 'why' }), keys));
      const type = !keys.includes('name') ? Ctor.name : keys.includes('constructor') ? 'Error' : Ctor.name;
      expect(described.errorType).toBe(type);
      expect(described.errorMessage).toBe(keys.includes('message') ? '' : text);
      // V8 formats the stack on its first read, from `name` and `message`: it fails with either.
      if (['stack', 'message', 'name'].some((key) => keys.includes(key))) expect(described.stackTrace).toEqual([]);
      else expect(described.stackTrace.length).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });

  it('an Error with a chain of causes, however odd the innermost: the outer error', () => {
    const innermost = fc.oneof(anyThrown, hostileProxy, revokedProxy);
    fc.assert(fc.property(errorOf, message, fc.nat(5), innermost, ({ make, type }, text, depth, { make: makeCause }) => {
      let cause: unknown = makeCause();
      for (let i = 0; i < depth; i++) cause = new Error(`cause ${i}`, { cause });
      const error = make(text);
      Object.defineProperty(error, 'cause', { value: cause });
      expect(describeError(error)).toMatchObject({ errorType: type, errorMessage: text });
    }), { numRuns: 300 });
  });

  it('an AggregateError: its own type and message, whatever it aggregates', () => {
    fc.assert(fc.property(fc.array(anyThrown, { maxLength: 5 }), message, (errors, text) => {
      const described = describeError(new AggregateError(errors.map(({ make }) => make()), text));
      expect(described).toMatchObject({ errorType: 'AggregateError', errorMessage: text });
      expect(described.stackTrace.length).toBeGreaterThan(0);
    }), { numRuns: 200 });
  });

  it('a primitive: its type and its text, no frames', () => {
    const primitive = fc.oneof(fc.string({ maxLength: 100 }), fc.double(), fc.integer(), fc.boolean(), fc.bigInt(), fc.constant(undefined), fc.constant(null), fc.string().map((d) => Symbol(d)));
    fc.assert(fc.property(primitive, (value) => {
      const type = value === null ? 'null' : typeof value;
      const text = value === undefined ? '' : typeof value === 'symbol' ? value.toString() : String(value);
      expect(describeError(value)).toEqual({ errorType: type, errorMessage: text, stackTrace: [] });
    }), { numRuns: 500 });
  });

  it('a null-prototype object: `object`, with its keys shown', () => {
    const key = fc.string({ maxLength: 10 }).filter((k) => k !== 'message' && k !== 'stack' && k !== '__proto__');
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 20 }), (fields) => {
      const described = describeError(Object.assign(Object.create(null) as object, fields));
      expect(described.errorType).toBe('object');
      expect(described.errorMessage).toMatch(/^\{.*\}$/s);
      for (const name of Object.keys(fields)) expect(described.errorMessage).toContain(`${JSON.stringify(name)}:`);
    }), { numRuns: 300 });
    expect(describeError(Object.assign(Object.create(null) as object, { message: 'no prototype', stack: 'x\n  at f' }))).toEqual({ errorType: 'Error', errorMessage: 'no prototype', stackTrace: ['at f'] });
  });

  it('a hostile or revoked Proxy: its type, and that it cannot be printed', () => {
    fc.assert(fc.property(fc.oneof(hostileProxy, revokedProxy), ({ make, type }) => {
      expect(describeError(make())).toEqual({ errorType: type, errorMessage: '[unprintable]', stackTrace: [] });
    }), { numRuns: 100 });
  });

  it('a Proxy around an Error: the Error as far as its traps let it be read', () => {
    expect(describeError(new Proxy(new TypeError('inside'), {}))).toMatchObject({ errorType: 'TypeError', errorMessage: 'inside' });
    const blocked = new Proxy(new TypeError('inside'), { get: () => { throw new Error('get trap'); } });
    expect(describeError(blocked)).toEqual({ errorType: 'Error', errorMessage: '', stackTrace: [] });
  });
});
