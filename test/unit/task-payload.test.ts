import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMessageSize, MAX_PAYLOAD_DEPTH, serialisePayload } from '../../client/tasks/payload.ts';

/** The oracle: JSON gives back the same shape — same primitives, arrays and plain objects, key for key. */
function sameAfterJson(original: unknown, parsed: unknown): boolean {
  // Object.is: JSON turns -0 into 0, which === would call the same.
  if (original === null || typeof original !== 'object') return Object.is(original, parsed);
  if (typeof parsed !== 'object' || parsed === null) return false;
  if (Array.isArray(original)) {
    return Array.isArray(parsed) && Reflect.ownKeys(original).length === original.length + 1 && original.length === parsed.length && original.every((v, i) => sameAfterJson(v, parsed[i]));
  }
  const proto: unknown = Object.getPrototypeOf(original);
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(parsed)) return false;
  const keys = Reflect.ownKeys(original);
  if (keys.some((k) => typeof k === 'symbol')) return false;
  const enumerable = keys.filter((k) => Object.prototype.propertyIsEnumerable.call(original, k)) as string[];
  const parsedKeys = Object.keys(parsed);
  return enumerable.length === parsedKeys.length && enumerable.every((k) => Object.hasOwn(parsed, k) && sameAfterJson(Reflect.get(original, k), Reflect.get(parsed, k)));
}

function roundTrips(value: unknown): boolean {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && sameAfterJson(value, JSON.parse(text));
  } catch {
    return false;
  }
}

const anything = fc.anything({
  withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true,
  withObjectString: true, withSparseArray: true, withBoxedValues: true, maxDepth: 4,
});
// Numbers JSON changes (-0 becomes 0, NaN and ±Infinity null), nested, often enough that every run meets them.
const oddNumbers = fc.dictionary(fc.string(), fc.array(fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY))), { maxKeys: 3 });
const odd = fc.oneof({ arbitrary: anything, weight: 4 }, { arbitrary: oddNumbers, weight: 1 });

describe('task payloads: accepted exactly when they survive JSON unchanged', () => {
  it('fast-check: any value is either accepted (and its JSON returned) or refused with a TypeError naming the problem — and accepted iff it round-trips', () => {
    fc.assert(fc.property(odd, (value) => {
      let json: string | undefined;
      try {
        json = serialisePayload('t', value);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/^Expected the payload of task `t` to survive JSON unchanged: `payload/);
        expect(roundTrips(value)).toBe(false);
        return;
      }
      expect(roundTrips(value)).toBe(true);
      expect(json).toBe(JSON.stringify(value));
    }), { numRuns: 2000 });
  });

  it.each([
    ['a function', { cb: () => 1 }, /`payload.cb` is a function/],
    ['a BigInt', [1n], /`payload\[0\]` is a BigInt \(1n\)/],
    ['undefined in an array', [1, undefined], /`payload\[1\]` is undefined/],
    ['an undefined property', { a: undefined }, /`payload.a` is undefined/],
    ['undefined itself', undefined, /`payload` is undefined/],
    ['a Date', { when: new Date(0) }, /`payload.when` is a Date, which JSON turns into a string; pass date.toISOString\(\)/],
    ['a Map', new Map([[1, 2]]), /`payload` is a Map, which JSON turns into \{\}/],
    ['a Set', { s: new Set([1]) }, /`payload.s` is a Set/],
    ['a class instance', { u: new URL('https://x.test') }, /`payload.u` is an instance of URL/],
    ['NaN', { n: Number.NaN }, /`payload.n` is NaN/],
    ['-0', { list: [1, -0] }, /`payload.list\[1\]` is -0, which JSON turns into 0/],
    ['Infinity', [Number.POSITIVE_INFINITY], /is Infinity/],
    ['a symbol key', { [Symbol('s')]: 1 }, /has a symbol key/],
    ['a hole', [1, , 3], /an array with holes/], // eslint-disable-line no-sparse-arrays
    ['a toJSON method', { toJSON: () => 'x' }, /`payload` has a toJSON method/],
    ['an odd key', { 'a b': 1n }, /`payload\["a b"\]` is a BigInt/],
  ])('names %s', (_what, value, message) => {
    expect(() => serialisePayload('t', value)).toThrow(message);
  });

  it('names a cycle, wherever it closes', () => {
    const a: Record<string, unknown> = { list: [] };
    (a.list as unknown[]).push({ back: a });
    expect(() => serialisePayload('t', a)).toThrow(/`payload.list\[0\].back` is a cycle/);
    const shared = { x: 1 };
    expect(serialisePayload('t', { a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}'); // shared, not cyclic
  });

  it('a throwing getter or Proxy trap becomes a TypeError naming it, never another error', () => {
    const getter = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new RangeError('nope'); } });
    expect(() => serialisePayload('t', getter)).toThrow(new TypeError('Expected the payload of task `t` to survive JSON unchanged: `payload` could not be read (nope)'));
    const proxy = new Proxy({}, { ownKeys: () => { throw 42; } });
    expect(() => serialisePayload('t', proxy)).toThrow(TypeError);
  });

  it(`refuses nesting deeper than ${MAX_PAYLOAD_DEPTH} without overflowing the stack`, () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => serialisePayload('t', deep)).toThrow(new RegExp(`nested deeper than ${MAX_PAYLOAD_DEPTH}`));
  });

  it('a deep path is shortened to its first and last segments around "…"; a short one is whole', () => {
    let deep: unknown = { bad: 1n };
    for (let i = 0; i < 40; i++) deep = i % 2 ? { 'odd key': deep } : [deep];
    expect(() => serialisePayload('t', deep)).toThrow('`payload["odd key"][0]["odd key"]…[0]["odd key"][0].bad` is a BigInt');
    expect(() => serialisePayload('t', { a: { b: [{ c: 1n }] } })).toThrow('`payload.a.b[0].c` is a BigInt');
    let deeper: unknown = 1;
    for (let i = 0; i < 300; i++) deeper = { n: deeper };
    const message = (() => { try { serialisePayload('t', deeper); return ''; } catch (error) { return (error as Error).message; } })();
    expect(message).toBe(`Expected the payload of task \`t\` to survive JSON unchanged: \`payload.n.n.n….n.n.n.n\` is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  });

  it('the size counts the envelope and the attribute, in bytes (UTF-8), against the limit', () => {
    const json = JSON.stringify('é'.repeat(1000)); // 2 bytes each
    expect(() => checkMessageSize('t', 'id', json, 2000)).toThrow(/the message would be \d+ bytes, over AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES \(2000\)/);
    expect(() => checkMessageSize('t', 'id', json, 2200)).not.toThrow();
  });
});
