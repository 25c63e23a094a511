import { describe, expect, it } from 'vitest';
import { ExtensionsApi, ExtensionsApiError, InvalidEventError } from '../../extension/extensions-api/extensions-api.ts';
import type { HttpRequest, HttpResponse } from '../../extension/extensions-api/http-transport.ts';

function scripted(responses: HttpResponse[]) {
  const requests: HttpRequest[] = [];
  const send = async (request: HttpRequest): Promise<HttpResponse> => {
    requests.push(request);
    const next = responses.shift();
    if (!next) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return next;
  };
  return { api: new ExtensionsApi(send), requests };
}

const invoke = (id: string): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ eventType: 'INVOKE', requestId: id, deadlineMs: 99, invokedFunctionArn: 'arn' }) });

describe('ExtensionsApi', () => {
  it('registers for INVOKE only and returns the identifier', async () => {
    const { api, requests } = scripted([{ status: 200, headers: { 'lambda-extension-identifier': 'ext-1' }, body: '{}' }]);
    await expect(api.register('lambda-after-response')).resolves.toBe('ext-1');
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/2020-01-01/extension/register', headers: { 'lambda-extension-name': 'lambda-after-response' }, body: '{"events":["INVOKE"]}' });
  });

  it("turns a refused registration into an error named after Lambda's error type", async () => {
    const { api } = scripted([{ status: 403, headers: {}, body: '{"errorMessage":"too late","errorType":"Extension.RegistrationClosed"}' }]);
    const error = await api.register('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionsApiError);
    expect(error).toMatchObject({ name: 'Extension.RegistrationClosed', status: 403, message: 'register answered 403: too late' });
  });

  it('polls next without a timeout, as a background request', async () => {
    const { api, requests } = scripted([invoke('r1')]);
    await expect(api.next('ext-1')).resolves.toEqual({ kind: 'invoke', requestId: 'r1', deadlineMs: 99 });
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/2020-01-01/extension/event/next', headers: { 'lambda-extension-identifier': 'ext-1' }, background: true });
  });

  it('reads a 500 from next as "exit promptly"', async () => {
    const { api } = scripted([{ status: 500, headers: {}, body: 'State transition failed' }]);
    await expect(api.next('e')).resolves.toEqual({ kind: 'exit', status: 500, body: 'State transition failed' });
  });

  it('rejects a 4xx from next with the status and error type, for the loop to treat as permanent', async () => {
    const { api } = scripted([{ status: 403, headers: {}, body: '{"errorMessage":"bad id","errorType":"Extension.InvalidExtensionState"}' }]);
    const error = await api.next('e').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionsApiError);
    expect(error).not.toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ name: 'Extension.InvalidExtensionState', status: 403, message: 'next answered 403: bad id' });
  });

  it('passes transport errors through unchanged', async () => {
    const { api } = scripted([]);
    await expect(api.next('e')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects, never throws, when the transport throws synchronously', async () => {
    const api = new ExtensionsApi(() => {
      throw new RangeError('bad port');
    });
    let next: Promise<unknown> | undefined;
    expect(() => (next = api.next('e'))).not.toThrow();
    await expect(next).rejects.toThrow(RangeError);
  });

  it.each([
    ['not JSON', '<html>', 'not JSON'],
    ['JSON null', 'null', 'eventType missing'],
    ['an unknown eventType', '{"eventType":"RESTORE"}', 'eventType "RESTORE"'],
    ['no requestId', '{"eventType":"INVOKE","deadlineMs":99}', 'INVOKE without a requestId'],
    ['an empty requestId', '{"eventType":"INVOKE","requestId":"","deadlineMs":99}', 'INVOKE without a requestId'],
    ['no deadlineMs', '{"eventType":"INVOKE","requestId":"r"}', 'INVOKE without a deadlineMs'],
    ['a null deadlineMs', '{"eventType":"INVOKE","requestId":"r","deadlineMs":null}', 'INVOKE without a deadlineMs'],
    ['an empty deadlineMs', '{"eventType":"INVOKE","requestId":"r","deadlineMs":""}', 'INVOKE without a deadlineMs'],
  ])('rejects a 200 with %s as an InvalidEventError that keeps the body', async (_name, body, problem) => {
    const { api } = scripted([{ status: 200, headers: {}, body }]);
    const error = await api.next('e').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ name: 'Extension.InvalidEvent', status: 200, body, message: `next answered 200 with an unreadable event: ${problem}` });
  });

  it('accepts a numeric-string deadline', async () => {
    const { api } = scripted([{ status: 200, headers: {}, body: '{"eventType":"INVOKE","requestId":"r","deadlineMs":"42"}' }]);
    await expect(api.next('e')).resolves.toEqual({ kind: 'invoke', requestId: 'r', deadlineMs: 42 });
  });
});
