// The async context without AsyncLocalStorage (AFTER_RESPONSE_ATTRIBUTION=invoke): the invoke
// `next` returned until the runtime calls `next` again; jobs keep every other store.
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSingleContext } from '../../extension/runtime-hooks/single-context.ts';

describe('createSingleContext', () => {
  it('names no invoke before the first, the bound one until the runtime calls next, then none', () => {
    const context = createSingleContext<string>();
    expect(context.current()).toBeUndefined();
    context.enterNext();
    context.bind('a');
    expect(context.current()).toBe('a');
    context.enter(undefined); // a server request: nothing to enter
    expect(context.current()).toBe('a');
    context.enterNext();
    expect(context.current()).toBeUndefined();
    context.bind('b');
    expect(context.current()).toBe('b');
  });

  it('runs and exits synchronously, returning what the function returns, the current invoke unchanged', () => {
    fc.assert(fc.property(fc.anything(), fc.string(), (value, owner) => {
      const context = createSingleContext<string>();
      context.bind(owner);
      expect(context.run('another', () => value)).toBe(value);
      expect(context.exit(() => value)).toBe(value);
      expect(context.current()).toBe(owner);
    }));
  });

  it("runs a captured job in every other AsyncLocalStorage store as it was at the capture, with the job's context", async () => {
    const span = new AsyncLocalStorage<string>();
    const context = createSingleContext<string>();
    const captured = span.run('handler span', () => context.capture((jobContext: { requestId: string }) => [span.getStore(), jobContext.requestId]));
    expect(span.getStore()).toBeUndefined();
    await Promise.resolve();
    expect(captured({ requestId: 'r-1' })).toEqual(['handler span', 'r-1']);
  });

  it('passes a throw from a captured job to its caller', () => {
    const context = createSingleContext<string>();
    const thrown = new Error('job failed');
    expect(() => context.capture(() => { throw thrown; })(undefined)).toThrow(thrown);
  });

  it('refuses to run detached flushers, naming what they need', () => {
    const context = createSingleContext<string>();
    expect(() => context.exitAsFlusher(() => 1)).toThrow(/detached flushers need als-context\.ts/);
    expect(context.inFlusher()).toBe(false);
  });
});
