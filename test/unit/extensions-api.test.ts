import { describe, expect, it } from 'vitest';
import { runExtensionLoop } from '../../extension/extension-loop.ts';
import { ExtensionsApi, ExtensionsApiError } from '../../extension/extensions-api.ts';
import type { HttpRequest, HttpResponse } from '../../extension/http-transport.ts';
import { recordingLogger } from './fakes.ts';

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
});

describe('runExtensionLoop', () => {
  it('holds each invoke and calls next again only after its release', async () => {
    const { api, requests } = scripted([invoke('r1'), invoke('r2'), { status: 500, headers: {}, body: 'bye' }]);
    const held: string[] = [];
    const tracker = {
      hold: async (event: { requestId: string }) => {
        held.push(`${event.requestId} after ${requests.length} requests`);
        return 'settled' as const;
      },
    };
    const outcome = await runExtensionLoop({ api, id: 'e', tracker, logger: recordingLogger() });
    expect(held).toEqual(['r1 after 1 requests', 'r2 after 2 requests']);
    expect(outcome).toEqual({ kind: 'exit-requested', status: 500, body: 'bye' });
  });

  it('returns a failed outcome instead of throwing when the Runtime API goes away', async () => {
    const { api } = scripted([]);
    const outcome = await runExtensionLoop({ api, id: 'e', tracker: { hold: async () => 'settled' as const }, logger: recordingLogger() });
    expect(outcome.kind).toBe('failed');
  });
});
