import { describe, expect, it } from 'vitest';
import { observeRuntime, observeStreamedResponses, wrapNativeClient, type RuntimeEvents } from '../../extension/runtime-hooks/runtime-observer.ts';

function recorder(): RuntimeEvents & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    runtimeNext: () => void events.push('next'),
    invokeStarted: (id, deadline) => void events.push(`start ${id} ${deadline}`),
    responsePosted: (id, how) => void events.push(`posted ${id} ${how}`),
    observed: () => void events.push('observed'),
  };
}

function fakeNative() {
  const calls: string[] = [];
  return {
    calls,
    next: () => Promise.resolve({ bodyJson: '{}', headers: { 'lambda-runtime-aws-request-id': 'req/1', 'lambda-runtime-deadline-ms': 1234 } }),
    done: (id: string, body: string) => void calls.push(`done ${id} ${body}`),
    error: (id: string) => void calls.push(`error ${id}`),
  };
}

describe('observeRuntime', () => {
  it("wraps the native client's next, done and error when rapid-client.node loads", async () => {
    const events = recorder();
    const native = fakeNative();
    const target = { dlopen: (module: { exports: unknown }, _filename: string) => void (module.exports = native) };
    observeRuntime(target, events);
    const module = { exports: {} as unknown };
    target.dlopen(module, '/var/runtime/rapid-client.node');
    expect(events.events).toEqual([]);
    const client = module.exports as ReturnType<typeof fakeNative>;
    const invocation = await client.next();
    expect(invocation.bodyJson).toBe('{}');
    client.done(encodeURIComponent('req/1'), '"ok"');
    client.error('req%2F1');
    await client.next();
    expect(events.events).toEqual(['observed', 'next', 'start req/1 1234', 'posted req/1 returned', 'posted req/1 returned', 'next', 'start req/1 1234']);
    expect(native.calls).toEqual(['done req%2F1 "ok"', 'error req%2F1']);
  });

  it('reports the invoke before any code awaiting next can run', async () => {
    const events = recorder();
    const native = fakeNative();
    wrapNativeClient(native, events);
    await native.next();
    events.events.push('handler');
    expect(events.events).toEqual(['observed', 'next', 'start req/1 1234', 'handler']);
  });

  it("holds the runtime's first next until registration is done, and only the first", async () => {
    const events = recorder();
    const native = fakeNative();
    let registered!: () => void;
    const registration = new Promise<void>((resolve) => (registered = resolve));
    wrapNativeClient(native, events, { beforeFirstNext: registration.then(() => void events.events.push('registered')) });
    const first = native.next();
    await Promise.resolve();
    expect(events.events).toEqual(['observed', 'next']);
    registered();
    await first;
    expect(events.events).toEqual(['observed', 'next', 'registered', 'start req/1 1234']);
    await native.next();
    expect(events.events.slice(4)).toEqual(['next', 'start req/1 1234']);
  });

  it('leaves other native modules alone', () => {
    const events = recorder();
    const target = { dlopen: (module: { exports: unknown }, _filename: string) => void (module.exports = { next: 1 }) };
    observeRuntime(target, events);
    const module = { exports: {} as unknown };
    target.dlopen(module, '/opt/other.node');
    expect(module.exports).toEqual({ next: 1 });
    expect(events.events).toEqual([]);
  });

  it('still reports the post when the native call throws, and rethrows', () => {
    const events = recorder();
    const native = { ...fakeNative(), done: (_id: string, _body: string) => { throw new Error('curl failed'); } };
    wrapNativeClient(native, events);
    expect(() => native.done('r', '{}')).toThrow('curl failed');
    expect(events.events).toEqual(['posted r returned']);
  });

  it('declines a client without the three functions', () => {
    expect(wrapNativeClient({ next: () => undefined }, recorder())).toBe(false);
  });
});

describe('observeStreamedResponses', () => {
  it("reports a streamed response when the runtime's POST to /response is answered", () => {
    const listeners = new Map<string, (message: unknown) => void>();
    const posted: string[] = [];
    observeStreamedResponses((channel, listener) => void listeners.set(channel, listener), { responsePosted: (id) => void posted.push(id) });
    listeners.get('http.client.response.finish')?.({ request: { path: '/2018-06-01/runtime/invocation/a%2Fb/response' } });
    listeners.get('http.client.response.finish')?.({ request: { path: '/2018-06-01/runtime/invocation/x/error' } });
    listeners.get('http.client.response.finish')?.({ request: { path: '/somewhere/else' } });
    listeners.get('http.client.request.error')?.({ request: { path: '/2018-06-01/runtime/invocation/c/response' } });
    expect(posted).toEqual(['a/b', 'c']);
  });
});
