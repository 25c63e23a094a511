import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { invokeHandler } from '../../extension/testing/index.ts';
import type { InvokeOptions } from '../../extension/testing/index.ts';

const ok = async (): Promise<string> => 'ok';
/** Calls invokeHandler with values its types refuse, as a JavaScript user can. */
const invokeUntyped = invokeHandler as unknown as (handler: unknown, event: unknown, options?: unknown) => Promise<unknown>;

describe('invokeHandler: bad arguments are a TypeError naming the value', () => {
  test('any handler that is not a function', async () => {
    await fc.assert(fc.asyncProperty(fc.anything().filter((value) => typeof value !== 'function'), async (handler) => {
      await expect(invokeUntyped(handler, {})).rejects.toThrow(TypeError);
      await expect(invokeUntyped(handler, {})).rejects.toThrow(/Expected `handler` to be a function \(event, context\), got `/);
    }));
  });

  test('any timeout that is not an integer from 1 to 900000', async () => {
    const bad = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 900_001 }), fc.double().filter((n) => !Number.isInteger(n)), fc.anything().filter((value) => typeof value !== 'number' && value !== undefined));
    await fc.assert(fc.asyncProperty(bad, async (timeoutMs) => {
      await expect(invokeUntyped(ok, {}, { timeoutMs })).rejects.toThrow(/Expected `timeoutMs` to be an integer from 1 to 900000 \(milliseconds\), got `/);
    }));
  });

  test('a negative timeout names its value', async () => {
    await expect(invokeHandler(ok, {}, { timeoutMs: -5 })).rejects.toThrow('Expected `timeoutMs` to be an integer from 1 to 900000 (milliseconds), got `-5` (number)');
  });

  test('options that are not an object, unknown options, and bad values of the others', async () => {
    await expect(invokeUntyped(ok, {}, 42)).rejects.toThrow('Expected `options` to be an object, got `42` (number)');
    await expect(invokeUntyped(ok, {}, { timeout: 100 })).rejects.toThrow('Unknown option `timeout`: expected one of timeoutMs, requestId, functionName, env, thaw');
    await expect(invokeUntyped(ok, {}, { requestId: ' ' })).rejects.toThrow('Expected `requestId` to be a non-blank string, got `" "` (string)');
    await expect(invokeUntyped(ok, {}, { env: { A: 1 } })).rejects.toThrow('Expected `env.A` to be a string, got `1` (number)');
    await expect(invokeUntyped(ok, {}, { env: ['A=1'] })).rejects.toThrow('Expected `env` to be an object of strings, got `["A=1"]` (array)');
    await expect(invokeUntyped(ok, {}, { thaw: 'yes' })).rejects.toThrow('Expected `thaw` to be a boolean, got `"yes"` (string)');
  });

  test('a valid call after bad ones still runs (a refused call leaves nothing behind)', async () => {
    await expect(invokeUntyped(42, {})).rejects.toThrow(TypeError);
    const options: InvokeOptions = { timeoutMs: 1000, functionName: 'orders' };
    await expect(invokeHandler(ok, {}, options)).resolves.toEqual(expect.objectContaining({ response: 'ok', frozen: [] }));
  });
});
