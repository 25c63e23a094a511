// The rig derives per-invoke facts from recorded Runtime/Extensions API calls.
import { describe, expect, it } from 'vitest';
import { classify } from '../rig/api-call-kind.ts';
import { invokeFacts, requestFacts } from '../rig/invoke-result.ts';
import type { ApiCall } from '../rig/types.ts';

const call = (kind: ApiCall['kind'], startedAt: number, endedAt: number, extra: Partial<ApiCall> = {}): ApiCall => ({
  kind, method: 'GET', path: '/', startedAt, endedAt, ...extra,
});

describe('the rig invoke facts', () => {
  it('classifies Runtime API and Extensions API paths', () => {
    expect(classify('GET', '/2018-06-01/runtime/invocation/next')).toEqual({ kind: 'runtime-next' });
    expect(classify('POST', '/2018-06-01/runtime/invocation/abc/response')).toEqual({ kind: 'runtime-response', requestId: 'abc' });
    expect(classify('POST', '/2018-06-01/runtime/invocation/abc/error')).toEqual({ kind: 'runtime-error', requestId: 'abc' });
    expect(classify('POST', '/2018-06-01/runtime/init/error')).toEqual({ kind: 'runtime-init-error' });
    expect(classify('POST', '/2020-01-01/extension/register')).toEqual({ kind: 'extension-register' });
    expect(classify('GET', '/2020-01-01/extension/event/next')).toEqual({ kind: 'extension-next' });
    expect(classify('POST', '/2020-01-01/extension/exit/error')).toEqual({ kind: 'extension-error' });
    expect(classify('GET', '/2021-04-01/other')).toEqual({ kind: 'other' });
  });

  it('takes the request id from the next that handed the invoke out, and the first runtime next and last extension release after it', () => {
    const calls = [
      call('runtime-next', 0, 105, { requestId: 'r1' }), // long-poll from before the invoke
      call('extension-next', 1, 104, { extensionName: 'a', requestId: 'r1', status: 200 }),
      call('extension-next', 2, 104, { extensionName: 'b', requestId: 'r1', status: 200 }),
      call('runtime-response', 110, 120, { requestId: 'r1' }),
      call('runtime-next', 121, Number.NaN),
      call('extension-next', 150, Number.NaN, { extensionName: 'a' }),
      call('extension-next', 300, Number.NaN, { extensionName: 'b' }),
    ];
    const facts = invokeFacts(calls, 100, 310, 320);
    expect(facts).toMatchObject({ requestId: 'r1', responsePostedAt: 120, runtimeNextAt: 121, extensionReleasedAt: 300, durationMs: 210 });
    expect(facts.errorPostedAt).toBeUndefined();
    expect(facts.calls).toHaveLength(7);
  });

  it('dates a post by when the proxy began relaying its answer, which the runtime cannot precede, not by the close seen later', () => {
    const calls = [
      call('runtime-next', 0, 105, { requestId: 'r1' }),
      call('runtime-response', 110, 140, { requestId: 'r1', answeredAt: 112 }),
      call('runtime-error', 150, 170, { requestId: 'r2' }),
    ];
    expect(invokeFacts(calls, 100, 200, 210)).toMatchObject({ responsePostedAt: 112 });
    expect(requestFacts(calls, 'r1')).toMatchObject({ deliveredAt: 105, responsePostedAt: 112 });
    expect(requestFacts(calls, 'r2').errorPostedAt, 'no answer relayed: the end').toBe(170);
  });

  it('on a cold start does not take the extension init-time next (which delivers the event) for the release', () => {
    const calls = [
      call('extension-register', 101, 102, { extensionName: 'a' }),
      call('extension-next', 103, 130, { extensionName: 'a', requestId: 'r0', status: 200 }),
      call('runtime-next', 120, 131, { requestId: 'r0' }),
      call('extension-next', 400, Number.NaN, { extensionName: 'a' }),
    ];
    expect(invokeFacts(calls, 100, 410, 410).extensionReleasedAt).toBe(400);
  });

  it('leaves out calls that ended before the invoke started', () => {
    const calls = [call('runtime-next', 0, 10, { requestId: 'old' }), call('runtime-next', 11, 105, { requestId: 'r2' })];
    const facts = invokeFacts(calls, 100, 200, 200);
    expect(facts.requestId).toBe('r2');
    expect(facts.calls).toHaveLength(1);
  });

  it('gives overlapping invokes their own facts by request id, where a time window mixes them up', () => {
    const calls = [
      call('runtime-next', 0, 12, { requestId: 'a' }),
      call('runtime-next', 1, 14, { requestId: 'b' }),
      call('runtime-response', 300, 305, { requestId: 'b' }),
      call('runtime-error', 310, 312, { requestId: 'a' }),
      call('runtime-next', 306, Number.NaN),
    ];
    expect(requestFacts(calls, 'a')).toMatchObject({ deliveredAt: 12, errorPostedAt: 312, calls: [{ kind: 'runtime-next' }, { kind: 'runtime-error' }] });
    expect(requestFacts(calls, 'a').responsePostedAt).toBeUndefined();
    expect(requestFacts(calls, 'b')).toMatchObject({ deliveredAt: 14, responsePostedAt: 305 });
    expect(invokeFacts(calls, 10, 315, 315).requestId).toBe('a'); // the window cannot tell b apart
  });

  it('leaves out of a request its calls still in flight', () => {
    const facts = requestFacts([call('runtime-response', 5, Number.NaN, { requestId: 'a' })], 'a');
    expect(facts.responsePostedAt).toBeUndefined();
    expect(facts.calls).toHaveLength(1);
  });
});
