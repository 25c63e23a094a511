import { TASK_ATTRIBUTE } from './envelope.ts';

/** One message to send: the envelope body, the task's name (the attribute), an optional delivery delay. */
export interface SendRequest {
  readonly body: string;
  readonly task: string;
  /** Seconds before SQS delivers it, 0–900 (SQS's `DelaySeconds`). @default 0 */
  readonly delaySeconds?: number;
}

/** Sends task messages. Injected: tests use a fake, the rig and Lambda use {@link createSqsSender}. */
export interface TaskSender {
  /** Resolves once SQS stored the message; rejects with the reason it did not. */
  send(request: SendRequest): Promise<void>;
  /** Prepares the client (SDK loaded, connection open) off the response path; never throws. */
  warm(): void;
}

/** The part of `@aws-sdk/client-sqs` used here. */
export interface SqsModule {
  readonly SQSClient: new (config: Record<string, unknown>) => { send(command: unknown): Promise<unknown> };
  readonly SendMessageCommand: new (input: Record<string, unknown>) => unknown;
  readonly GetQueueAttributesCommand: new (input: Record<string, unknown>) => unknown;
}

export interface SqsSenderOptions {
  readonly queueUrl: string;
  /** Loads the SDK. @default {@link loadSqsModule} */
  readonly load?: () => SqsModule;
  /** Told when warming failed (the queue unreachable, the SDK missing): a WARN, once. */
  readonly onWarmFailed?: (error: unknown) => void;
  /** `AWS_ENDPOINT_URL_SQS` (else `AWS_ENDPOINT_URL`), when set: see {@link sqsClientConfig}. */
  readonly endpointUrl?: string | undefined;
  /** Told once, when the client is made, that the queue URL's host differs from `endpointUrl` (a WARN). */
  readonly onEndpointDiffers?: (detail: { readonly queueOrigin: string; readonly endpointOrigin: string }) => void;
}

/**
 * The SQS client's config. When an endpoint is set (`AWS_ENDPOINT_URL_SQS`) and the queue URL names
 * another host (`localhost` against `127.0.0.1`), the SDK sends to the queue URL's host anyway and
 * logs `QueueUrl=… differs from SQSClient resolved endpoint=…` at every command (measured with
 * `@aws-sdk/client-sqs` 3.984.0 against ElasticMQ: twice per task, the warm-up and the send; none
 * with this config). So the client is given the queue URL's origin as its endpoint — where the SDK
 * sends regardless — and the difference is reported once (`differs`). Without an endpoint set
 * (Lambda's own), the SDK resolves it as always: `{}`.
 */
export function sqsClientConfig(queueUrl: string, endpointUrl: string | undefined): { config: Record<string, unknown>; differs?: { queueOrigin: string; endpointOrigin: string } } {
  const origin = (url: string | undefined): string | undefined => {
    try {
      return url === undefined || url.trim() === '' ? undefined : new URL(url.trim()).origin;
    } catch {
      return undefined;
    }
  };
  const queueOrigin = origin(queueUrl);
  const endpointOrigin = origin(endpointUrl);
  if (queueOrigin === undefined || endpointOrigin === undefined || queueOrigin === endpointOrigin) return { config: {} };
  return { config: { endpoint: queueOrigin }, differs: { queueOrigin, endpointOrigin } };
}

/**
 * Loads `@aws-sdk/client-sqs` at first use, never at init and never bundled: resolved from the
 * working directory (`/var/task`: a copy bundled with the function wins), then `NODE_PATH`, which
 * on Lambda's Node runtimes includes `/var/runtime/node_modules` where the SDK ships.
 * @throws {Error} naming the module when it cannot be loaded.
 */
export function loadSqsModule(): SqsModule {
  const { createRequire } = process.getBuiltinModule('node:module');
  const { join } = process.getBuiltinModule('node:path');
  const loaded: unknown = createRequire(join(process.cwd(), 'after-response-task-sender.js'))('@aws-sdk/client-sqs');
  const fields = ['SQSClient', 'SendMessageCommand', 'GetQueueAttributesCommand'];
  if (typeof loaded !== 'object' || loaded === null || fields.some((field) => typeof Reflect.get(loaded, field) !== 'function')) {
    throw new Error('@aws-sdk/client-sqs was found but does not export SQSClient, SendMessageCommand and GetQueueAttributesCommand');
  }
  return loaded as SqsModule;
}

/**
 * A sender on the AWS SDK for JavaScript v3. The SDK finds the endpoint (`AWS_ENDPOINT_URL_SQS`
 * is honoured), region and credentials (the function's role) as it always does; nothing here
 * reads or logs credentials. Measured in an RIE sandbox against ElasticMQ (docs/tasks.md):
 * a cold first send 37–78 ms, a warm one 7–10 ms — hence {@link TaskSender.warm}.
 */
export function createSqsSender(options: SqsSenderOptions): TaskSender {
  let client: { readonly sdk: SqsModule; readonly sqs: { send(command: unknown): Promise<unknown> } } | undefined;
  let warming = false;
  const ready = (): NonNullable<typeof client> => {
    if (client) return client;
    const sdk = (options.load ?? loadSqsModule)();
    const { config, differs } = sqsClientConfig(options.queueUrl, options.endpointUrl);
    client = { sdk, sqs: new sdk.SQSClient(config) };
    if (differs) bestEffort(() => options.onEndpointDiffers?.(differs));
    return client;
  };
  return {
    async send({ body, task, delaySeconds }) {
      const { sdk, sqs } = ready();
      await sqs.send(new sdk.SendMessageCommand({
        QueueUrl: options.queueUrl, MessageBody: body,
        MessageAttributes: { [TASK_ATTRIBUTE]: { DataType: 'String', StringValue: task } },
        ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
      }));
    },
    warm() {
      if (warming) return;
      warming = true;
      void new Promise<void>((resolve) => resolve())
        .then(() => {
          const { sdk, sqs } = ready();
          return sqs.send(new sdk.GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }));
        })
        .catch((error: unknown) => bestEffort(() => options.onWarmFailed?.(error))); // a warm-up never fails anything
    },
  };
}

/** Calls a report hook; what it throws is dropped (a report is best effort). */
function bestEffort(report: () => void): void {
  try {
    report();
  } catch {
    // the report is best effort
  }
}
