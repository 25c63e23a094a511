import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { createGuard } from '../../extension/runtime-hooks/guard.ts';
import { installRequestContexts, REQUEST_CONTEXT_SYMBOLS, type RequestContextKind, type RequestContextValue, type ScopedInvoke } from '../../extension/runtime-hooks/request-context.ts';
import { flush, recordingLogger, runtimeInvoke, trackerSetup } from './fakes.ts';

type Provider = { get(): RequestContextValue | undefined };
const providerAt = (global: object, kind: RequestContextKind): Provider => Reflect.get(global, REQUEST_CONTEXT_SYMBOLS[kind]) as Provider;

function install(current: () => ScopedInvoke | undefined, kinds: RequestContextKind[] = ['next', 'vercel'], global: object = {}) {
  const logger = recordingLogger();
  installRequestContexts({ kinds, global, current, marginMs: 500, logger, guard: createGuard(logger) });
  return { global, logger };
}

describe('installRequestContexts', () => {
  it('answers get() with { waitUntil, deadline } inside an invoke and undefined outside; deadline is ISO, minus the margin', () => {
    const enqueued: Array<[unknown, string]> = [];
    let invoke: ScopedInvoke | undefined;
    const { global } = install(() => invoke);
    expect(providerAt(global, 'next').get()).toBeUndefined();
    invoke = { key: {}, deadlineMs: Date.UTC(2026, 0, 1, 12, 0, 3), enqueue: (p, name) => void enqueued.push([p, name]) };
    const context = providerAt(global, 'next').get();
    expect(context?.deadline).toBe('2026-01-01T12:00:02.500Z');
    expect(new Date(context?.deadline ?? '').getTime()).toBe(invoke.deadlineMs - 500);
    const promise = Promise.resolve();
    context?.waitUntil(promise);
    expect(enqueued).toEqual([[promise, 'next after()']]);
    expect(providerAt(global, 'next').get()).toBe(context); // one context per invoke and kind
    const vercel = providerAt(global, 'vercel').get();
    expect(vercel?.deadline).toBe(context?.deadline);
    vercel?.waitUntil(promise);
    expect(enqueued).toEqual([[promise, 'next after()'], [promise, 'vercel waitUntil']]); // named by source
    invoke = undefined;
    expect(providerAt(global, 'vercel').get()).toBeUndefined();
  });

  it("context.waitUntil throws a TypeError naming a non-thenable and enqueues nothing", () => {
    const enqueued: unknown[] = [];
    const { global } = install(() => ({ key: {}, deadlineMs: 0, enqueue: (p) => void enqueued.push(p) }));
    expect(() => providerAt(global, 'next').get()?.waitUntil(42 as never)).toThrow(new TypeError('Expected `promise` to be a promise (thenable), got `42` (number)'));
    expect(enqueued).toEqual([]);
  });

  it('installs only the configured symbols; none for an empty list', () => {
    expect(Object.getOwnPropertySymbols(install(() => undefined, ['next']).global)).toEqual([REQUEST_CONTEXT_SYMBOLS.next]);
    expect(Object.getOwnPropertySymbols(install(() => undefined, []).global)).toEqual([]);
  });

  it('leaves a symbol someone else defined alone, and says so once at DEBUG', () => {
    const theirs = { get: () => ({ waitUntil: () => undefined }) };
    const { global, logger } = install(() => undefined, ['next', 'vercel'], { [REQUEST_CONTEXT_SYMBOLS.next]: theirs });
    expect(providerAt(global, 'next')).toBe(theirs);
    expect(providerAt(global, 'vercel')).not.toBe(theirs);
    expect(logger.records).toEqual([expect.objectContaining({ level: 'DEBUG', requestContext: 'next', message: expect.stringContaining('@next/request-context is already defined') })]);
  });

  it('stays writable, so an adapter assigning its own provider later (OpenNext does, per request) does not throw', () => {
    const { global } = install(() => undefined);
    const theirs = { get: () => undefined };
    // Test modules are ESM, so strict: assigning a read-only property would throw here.
    expect(() => void ((global as Record<symbol, unknown>)[REQUEST_CONTEXT_SYMBOLS.next] = theirs)).not.toThrow();
    expect(providerAt(global, 'next')).toBe(theirs);
  });

  it("guards the frameworks' calls: an internal failure is logged once and get() answers undefined", () => {
    const { global, logger } = install(() => { throw new Error('broken'); });
    expect(providerAt(global, 'next').get()).toBeUndefined();
    expect(providerAt(global, 'next').get()).toBeUndefined();
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([expect.objectContaining({ hook: 'request-context get', errorMessage: 'broken' })]);
    const failing = install(() => ({ key: {}, deadlineMs: 0, enqueue: () => { throw new Error('enqueue broke'); } }));
    expect(() => providerAt(failing.global, 'next').get()?.waitUntil(Promise.resolve())).not.toThrow();
    expect(failing.logger.records).toEqual([expect.objectContaining({ level: 'ERROR', hook: 'request-context waitUntil' })]);
  });
});

describe('request contexts scoped by the lifecycle', () => {
  it('held: undefined at init and between invokes; inside, the invoke in progress (also for code outside its async context)', async () => {
    const { tracker, deadline } = trackerSetup();
    const { global } = install(() => tracker.scopedInvoke());
    const get = () => providerAt(global, 'next').get();
    expect(get()).toBeUndefined(); // init
    let inside: RequestContextValue | undefined;
    await runtimeInvoke(tracker, 'r1', deadline, () => void (inside = get()));
    expect(inside?.deadline).toBe(new Date(deadline - 500).toISOString());
    expect(get()).toBe(inside); // no async context here (a server reached over a socket), one invoke at a time
    let settle!: () => void;
    inside?.waitUntil(new Promise<void>((resolve) => (settle = resolve)));
    tracker.responsePosted('r1', 'returned');
    await flush();
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    let done = false;
    void released.then(() => (done = true));
    await flush();
    expect(done).toBe(false); // the waitUntil promise holds the invoke
    settle();
    await flush();
    expect(done).toBe(true);
    expect(get()).toBeUndefined(); // between invokes
  });

  it('a rejected waitUntil promise is logged by name under its request id, never thrown; a released invoke has no context', async () => {
    const { tracker, deadline, logger } = trackerSetup();
    const { global } = install(() => tracker.scopedInvoke());
    let late!: Promise<RequestContextValue | undefined>;
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      providerAt(global, 'next').get()?.waitUntil(Promise.reject(new Error('mail server down')));
      // A timer of r1 that fires after r1's release: no context then (as between invokes).
      late = new Promise((resolve) => setTimeout(() => resolve(providerAt(global, 'next').get()), 30));
    });
    tracker.responsePosted('r1', 'returned');
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    expect(logger.records.find((r) => r.message === 'job failed')).toMatchObject({ requestId: 'r1', job: 'next after()', errorMessage: 'mail server down' });
    expect(await late).toBeUndefined();
  });

  it('Managed Instances (unheld): concurrent invokes each see their own context, and nothing outside', async () => {
    const { tracker, deadline } = trackerSetup({}, 'unheld');
    const { global } = install(() => tracker.scopedInvoke());
    const get = () => providerAt(global, 'vercel').get();
    const seen: string[] = [];
    const handler = (id: string) => async () => {
      await flush();
      const context = get();
      context?.waitUntil(Promise.resolve().then(() => flush()).then(() => seen.push(`${id} settled`)));
      return context;
    };
    const [a, b] = await Promise.all([runtimeInvoke(tracker, 'a', deadline, handler('a')), runtimeInvoke(tracker, 'b', deadline + 1000, handler('b'))]);
    expect(a?.deadline).toBe(new Date(deadline - 500).toISOString());
    expect(b?.deadline).toBe(new Date(deadline + 500).toISOString());
    expect(get()).toBeUndefined(); // no "invoke in progress" when several run at once
    tracker.responsePosted('a', 'returned');
    tracker.responsePosted('b', 'returned');
    await flush(10);
    expect(seen.sort()).toEqual(['a settled', 'b settled']);
    const owners: string[] = [];
    tracker.enqueue(({ requestId }: JobContext) => void owners.push(requestId), 'outside');
    await flush();
    expect(owners).toEqual(['-']);
  });
});
