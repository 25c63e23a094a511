import { describe, expect, it } from 'vitest';
import { isClass, validateEnqueue, validateFlusher } from '../../shared/validate.ts';

describe('validateEnqueue', () => {
  it('accepts a function and names it after the function', () => {
    async function postToSlack(): Promise<void> {}
    expect(validateEnqueue(postToSlack, undefined)).toBe('postToSlack');
    expect(validateEnqueue(() => 1, undefined)).toBe('anonymous');
  });

  it('accepts a promise or any thenable', () => {
    expect(validateEnqueue(Promise.resolve(1), { name: 'p' })).toBe('p');
    expect(validateEnqueue({ then() {} }, undefined)).toBe('promise');
  });

  it('rejects a job that is neither, naming the value and its type', () => {
    expect(() => validateEnqueue(42, undefined)).toThrow(new TypeError('Expected `job` to be a function or a promise, got `42` (number)'));
    expect(() => validateEnqueue(null, undefined)).toThrow('got `null` (null)');
    expect(() => validateEnqueue('work', undefined)).toThrow('got `"work"` (string)');
  });

  it('rejects options that are not an object', () => {
    expect(() => validateEnqueue(() => 1, 'fast')).toThrow(new TypeError('Expected `options` to be an object, got `"fast"` (string)'));
    expect(() => validateEnqueue(() => 1, [1])).toThrow('`[1]` (array)');
  });

  it('rejects a name that is not a non-empty string', () => {
    expect(() => validateEnqueue(() => 1, { name: 42 })).toThrow(new TypeError('Expected `options.name` to be a non-empty string, got `42` (number)'));
    expect(() => validateEnqueue(() => 1, { name: '' })).toThrow('got `""` (string)');
  });

  it('rejects unknown options so a typo does not pass silently', () => {
    expect(() => validateEnqueue(() => 1, { nmae: 'x' })).toThrow(new TypeError('Unknown option `nmae`; expected one of: name'));
  });

  it('shortens long values in messages', () => {
    expect(() => validateEnqueue('x'.repeat(500), undefined)).toThrow(/\.\.\.` \(string\)$/);
  });
});

describe('classes are rejected at once, not when run', () => {
  it('names the class for a job and a flusher; ordinary, arrow, async, bound and Proxy functions pass', () => {
    class SendReceipt {}
    expect(() => validateEnqueue(SendReceipt, undefined)).toThrow(new TypeError('Expected `job` to be a function, got class `SendReceipt`: a class cannot be called without `new`; pass `(context) => new SendReceipt(context)` or a function'));
    expect(() => validateFlusher(class {}, undefined)).toThrow(/^Expected `flusher` to be a function, got class `anonymous`/);
    expect(() => validateFlusher(class Flush extends SendReceipt {}, undefined)).toThrow('got class `Flush`');
    function plain(): void {}
    for (const fn of [plain, () => 1, async () => 1, function* gen() {}, plain.bind(null), Math.max, Object, new Proxy(plain, {})]) {
      expect(isClass(fn)).toBe(false);
      expect(() => validateFlusher(fn, undefined)).not.toThrow();
    }
  });

  it('never throws from the check itself, whatever traps a Proxy has', () => {
    const boom = (): never => { throw new Error('trap'); };
    const hostile = new Proxy(class Hidden {}, { getOwnPropertyDescriptor: boom, get: boom });
    expect(isClass(hostile)).toBe(false);
    const revocable = Proxy.revocable(class Gone {}, {});
    revocable.revoke();
    expect(isClass(revocable.proxy)).toBe(false);
    // V8 prints any Proxy as native code, so a proxied class is not told apart (it fails when run).
    expect(isClass(new Proxy(class Odd {}, {}))).toBe(false);
  });
});
