// The SQS client's endpoint when AWS_ENDPOINT_URL_SQS and the queue URL name different hosts: the
// SDK would send to the queue URL's host anyway and warn at every command (twice per task: the
// warm-up and the send); the client gets that origin as its endpoint and the difference is one WARN.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSqsSender, sqsClientConfig, type SqsModule } from '../../client/tasks/sender.ts';

/** A fake SDK that records each client's config and each command. */
function fakeSdk() {
  const configs: Array<Record<string, unknown>> = [];
  const commands: string[] = [];
  const sdk: SqsModule = {
    SQSClient: class {
      constructor(config: Record<string, unknown>) {
        configs.push(config);
      }
      send(command: unknown): Promise<unknown> {
        commands.push(String((command as { name: string }).name));
        return Promise.resolve({});
      }
    },
    SendMessageCommand: class { readonly name = 'SendMessage'; },
    GetQueueAttributesCommand: class { readonly name = 'GetQueueAttributes'; },
  };
  return { sdk, configs, commands };
}

describe('sqsClientConfig', () => {
  it('no endpoint set, or the same origin: the SDK resolves the endpoint as always ({}); another origin: the queue URL\'s, reported', () => {
    const url = 'http://localhost:9324/000000000000/tasks';
    expect(sqsClientConfig('https://sqs.us-east-1.amazonaws.com/123456789012/tasks', undefined)).toEqual({ config: {} });
    expect(sqsClientConfig(url, 'http://localhost:9324')).toEqual({ config: {} });
    expect(sqsClientConfig(url, 'http://127.0.0.1:9324/')).toEqual({ config: { endpoint: 'http://localhost:9324' }, differs: { queueOrigin: 'http://localhost:9324', endpointOrigin: 'http://127.0.0.1:9324' } });
    expect(sqsClientConfig('not a url', 'http://127.0.0.1:9324')).toEqual({ config: {} });
    fc.assert(fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (queue, endpoint) => {
      expect(() => sqsClientConfig(queue, endpoint)).not.toThrow();
    }));
  });
});

describe('createSqsSender with an endpoint that differs from the queue URL', () => {
  it('one client with the queue URL\'s origin, one report, for a warm-up and two sends', async () => {
    const { sdk, configs, commands } = fakeSdk();
    const reports: unknown[] = [];
    const sender = createSqsSender({ queueUrl: 'http://localhost:9324/000000000000/tasks', endpointUrl: 'http://127.0.0.1:9324', load: () => sdk, onEndpointDiffers: (d) => void reports.push(d) });
    sender.warm();
    await sender.send({ body: '{}', task: 't' });
    await sender.send({ body: '{}', task: 't' });
    expect([...commands].sort()).toEqual(['GetQueueAttributes', 'SendMessage', 'SendMessage']);
    expect(configs).toEqual([{ endpoint: 'http://localhost:9324' }]);
    expect(reports).toEqual([{ queueOrigin: 'http://localhost:9324', endpointOrigin: 'http://127.0.0.1:9324' }]);
  });
});
