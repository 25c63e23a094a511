import { describe, expect, it } from 'vitest';
import { validateEnqueue } from '../../client/validate.ts';

describe('validateEnqueue', () => {
  it('accepts a function and names it after the function', () => {
    async function postToSlack(): Promise<void> {}
    expect(validateEnqueue(postToSlack, undefined).name).toBe('postToSlack');
    expect(validateEnqueue(() => 1, undefined).name).toBe('anonymous');
  });

  it('accepts a promise or any thenable', () => {
    expect(validateEnqueue(Promise.resolve(1), { name: 'p' }).name).toBe('p');
    expect(validateEnqueue({ then() {} }, undefined).name).toBe('promise');
  });

  it('rejects a job that is neither, naming the value and its type', () => {
    expect(() => validateEnqueue(42, undefined)).toThrow(new TypeError('Expected `job` to be a function or a promise, got `42` (number)'));
    expect(() => validateEnqueue(null, undefined)).toThrow('got `null` (null)');
    expect(() => validateEnqueue('work', undefined)).toThrow('got `"work"` (string)');
  });

  it('rejects options that are not an object', () => {
    expect(() => validateEnqueue(() => 1, 'fast')).toThrow(new TypeError('Expected `options` to be an object, got `"fast"` (string)'));
    expect(() => validateEnqueue(() => 1, [1])).toThrow('(array)');
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
