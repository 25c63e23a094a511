// startElasticMq(): a real SQS-compatible server (ElasticMQ) on 127.0.0.1 for one test file, its
// queues (a main queue with a redrive policy to a dead-letter queue), and the function env that
// points a sandbox's AWS SDK at it. The sandbox shares the host's network namespace (the rig
// unshares only the mount namespace), so the function reaches it on loopback.
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ElasticMqProcess } from './elasticmq-process.ts';
import { LogBuffer } from './log-buffer.ts';
import { elasticMqTools } from './tools.ts';

/** A queue as SQS names it. */
export interface SqsQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string; // arn:aws:sqs:<region>:<account>:<name>
}

/** Per-queue attributes (SQS's names and ranges; ElasticMQ's strict limits enforce them). */
export interface QueueOptions {
  /** VisibilityTimeout, seconds: how long a received message stays hidden. SQS: 0–43,200, default 30. */
  readonly visibilityTimeoutSeconds?: number;
  /** MessageRetentionPeriod, seconds. SQS: 60–1,209,600, default 345,600 (4 days). */
  readonly messageRetentionSeconds?: number;
  /** DelaySeconds: the queue's delivery delay. SQS: 0–900, default 0. */
  readonly delaySeconds?: number;
  /** RedrivePolicy: a message received more than `maxReceiveCount` times moves to `queue` (SQS moves it on the next receive). */
  readonly deadLetter?: { readonly queue: SqsQueue; readonly maxReceiveCount: number };
}

export interface ElasticMqOptions {
  /** The region in ARNs and the function env's AWS_REGION. @default 'us-east-1' (the rig's function env) */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** ElasticMQ's sqs-limits: 'strict' rejects what SQS rejects (attribute ranges, message size). @default 'strict' */
  readonly limits?: 'strict' | 'relaxed';
}

// Dummy credentials: ElasticMQ checks no signature, but the SDK signs every request (as on Lambda,
// where the function's role gives a key, a secret and a session token through the env).
const DUMMY_CREDENTIALS = { accessKeyId: 'ASIARIGDUMMYKEY00000', secretAccessKey: 'rig-dummy-secret', sessionToken: 'rig-dummy-session-token' };

/** The test process may run Node 20 (the repository's tooling); the SDK's warning about it is noise here. */
function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

function queueAttributes(o: QueueOptions): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (o.visibilityTimeoutSeconds !== undefined) attributes.VisibilityTimeout = String(o.visibilityTimeoutSeconds);
  if (o.messageRetentionSeconds !== undefined) attributes.MessageRetentionPeriod = String(o.messageRetentionSeconds);
  if (o.delaySeconds !== undefined) attributes.DelaySeconds = String(o.delaySeconds);
  if (o.deadLetter !== undefined) {
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: o.deadLetter.queue.arn, maxReceiveCount: o.deadLetter.maxReceiveCount });
  }
  return attributes;
}

export class ElasticMq {
  /** A client for the test side (the event source, helpers); the function uses its own SDK from /var/runtime. */
  readonly client: SQSClient;
  readonly endpoint: string; // http://127.0.0.1:<port>
  private stopped = false;

  constructor(
    private readonly server: ElasticMqProcess,
    readonly region: string,
    private readonly logBuffer: LogBuffer,
  ) {
    this.endpoint = `http://127.0.0.1:${server.port}`;
    quietSdkNodeWarning();
    this.client = new SQSClient({ endpoint: this.endpoint, region, credentials: DUMMY_CREDENTIALS });
  }

  /**
   * What a sandbox's env needs for the runtime's AWS SDK to use this server: the service-specific
   * endpoint variable (AWS_ENDPOINT_URL_SQS, honoured by the SDK), the region and dummy credentials.
   * Spread it into `SandboxOptions.env`.
   */
  functionEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_SQS: this.endpoint,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: DUMMY_CREDENTIALS.sessionToken,
    };
  }

  /** Creates (or, with the same attributes, returns) a queue. Throws with ElasticMQ's reason for an attribute SQS would reject. */
  async createQueue(name: string, options: QueueOptions = {}): Promise<SqsQueue> {
    const created = await this.client
      .send(new CreateQueueCommand({ QueueName: name, Attributes: queueAttributes(options) }))
      .catch((err: unknown) => {
        throw new Error(`ElasticMQ refused queue ${name} (${JSON.stringify(queueAttributes(options))}): ${String(err)}`, { cause: err });
      });
    const url = created.QueueUrl ?? '';
    const { Attributes } = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return { name, url, arn: Attributes?.QueueArn ?? '' };
  }

  /**
   * A main queue `name` whose redrive policy moves a message received more than `maxReceiveCount`
   * times to the dead-letter queue `<name>-dlq` (SQS's DLQ pattern; give each test its own name).
   */
  async createQueueWithDlq(name: string, options: Omit<QueueOptions, 'deadLetter'> & { readonly maxReceiveCount: number }): Promise<{ queue: SqsQueue; dlq: SqsQueue }> {
    const { maxReceiveCount, ...main } = options;
    const dlq = await this.createQueue(`${name}-dlq`, { messageRetentionSeconds: main.messageRetentionSeconds ?? 1_209_600 });
    const queue = await this.createQueue(name, { ...main, deadLetter: { queue: dlq, maxReceiveCount } });
    return { queue, dlq };
  }

  /** ElasticMQ's own output (startup, errors), for a failing test's report. */
  logs(): string {
    return this.logBuffer.all();
  }

  /** Stops the server (no process left behind, else throws naming them) and the test-side client. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.client.destroy();
    const left = await this.server.stop();
    if (left.length > 0) throw new Error(`ElasticMQ left processes behind: ${left.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`);
  }
}

/** Waits until the server answers SQS calls, not only accepts connections. */
async function untilAnswering(mq: ElasticMq, server: ElasticMqProcess): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      await mq.client.send(new ListQueuesCommand({}));
      return;
    } catch (err) {
      if (server.exited !== undefined || performance.now() > deadline) throw new Error(`ElasticMQ does not answer: ${server.exited ?? String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Starts ElasticMQ (provisioned by test/rig/provision.sh) on 127.0.0.1 and a free port; resolves
 * once it answers SQS calls (1.0-1.5 s measured on the shared 2-core machine at load 14). Throws
 * naming a missing tool, or with ElasticMQ's output when it does not start. Stop it with `stop()`
 * (e.g. in afterAll); one left running is killed and named by the integration global teardown.
 */
export async function startElasticMq(options: ElasticMqOptions = {}): Promise<ElasticMq> {
  const settings = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012', limits: options.limits ?? 'strict' };
  const logs = new LogBuffer();
  const server = await ElasticMqProcess.launch(elasticMqTools(), settings, logs).catch((err: unknown) => {
    throw new Error(`ElasticMQ did not start: ${String(err)}\n--- ElasticMQ output ---\n${logs.all()}`, { cause: err });
  });
  const mq = new ElasticMq(server, settings.region, logs);
  try {
    await untilAnswering(mq, server);
    return mq;
  } catch (err) {
    await mq.stop().catch(() => undefined);
    throw new Error(`${String(err)}\n--- ElasticMQ output ---\n${logs.all()}`, { cause: err });
  }
}
