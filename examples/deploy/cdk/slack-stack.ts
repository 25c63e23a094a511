// The Slack slash command example (examples/slack-slash-command/task-handler.mjs: the follow-up
// as a task) with the lambda-after-response layer, behind a public Lambda Function URL, and the
// task queue: an SQS queue with a dead-letter queue, read by the same function.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, CfnParameter, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, FunctionUrlAuthType, LayerVersion, Runtime, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface SlackSlashCommandStackProps extends StackProps {
  /**
   * A published layer version ARN of the stack's region (docs/layer-arns.md lists them); checked
   * against {@link LAYER_VERSION_ARN} unless it is a token. @default publish `layerZip` with this stack
   */
  readonly afterResponseLayerArn?: string | undefined;
  /** The layer built by build.sh. @default `<repo>/dist/after-response-layer.zip` */
  readonly layerZip?: string;
  /** The handler's directory (deployed as is: plain ESM, `lambda-after-response` comes from the layer). @default `<repo>/examples/slack-slash-command` */
  readonly functionDir?: string;
  /** `nodejs24.x` or `nodejs22.x`; both work with the layer. @default Runtime.NODEJS_24_X */
  readonly runtime?: Runtime;
  /**
   * Covers the handler AND the jobs after the response: Slack gets its answer within a second,
   * the jobs get the rest, minus the 2000 ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS, set below).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
}

/** A layer version ARN: arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION (the SAM and Terraform templates check the same). */
export const LAYER_VERSION_ARN = /^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$/;

/** The runtimes the layer supports, by the name `-c runtime=…` takes. */
export const RUNTIMES: Readonly<Record<string, Runtime>> = { 'nodejs24.x': Runtime.NODEJS_24_X, 'nodejs22.x': Runtime.NODEJS_22_X };

/**
 * The runtime named by the `runtime` context value (`-c runtime=nodejs22.x`).
 * @param value  the context value; undefined or '' (not given) means nodejs24.x
 * @throws Error naming the value and the allowed ones when it is anything else (e.g. `nodejs20.x`)
 */
export function runtimeFromContext(value: unknown): Runtime {
  if (value === undefined || value === '') return Runtime.NODEJS_24_X;
  const runtime = typeof value === 'string' && Object.hasOwn(RUNTIMES, value) ? RUNTIMES[value] : undefined;
  if (runtime === undefined) {
    throw new Error(`Expected context \`runtime\` to be one of ${Object.keys(RUNTIMES).join(', ')}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return runtime;
}

export class SlackSlashCommandStack extends Stack {
  constructor(scope: Construct, id: string, props: SlackSlashCommandStackProps = {}) {
    super(scope, id, props);
    const signingSecret = new CfnParameter(this, 'SlackSigningSecret', {
      type: 'String',
      noEcho: true,
      minLength: 1,
      description: "The Slack app's signing secret (Basic Information > App Credentials); the handler checks every request's signature with it.",
    });

    const timeout = props.timeout ?? Duration.seconds(30);
    // A task that keeps failing ends in the DLQ instead of retrying until its retention ends.
    const deadLetters = new Queue(this, 'TaskDeadLetterQueue', { retentionPeriod: Duration.days(14) });
    // AWS's guidance for an SQS event source: visibility timeout >= 6 x the function timeout.
    const tasks = new Queue(this, 'TaskQueue', {
      visibilityTimeout: Duration.seconds(6 * timeout.toSeconds()),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });

    const fn = new LambdaFunction(this, 'SlashCommand', {
      runtime: props.runtime ?? Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'task-handler.handler',
      code: Code.fromAsset(props.functionDir ?? join(repoRoot, 'examples', 'slack-slash-command')),
      memorySize: 512,
      timeout,
      layers: [this.afterResponseLayer(props)],
      environment: {
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response', // loads the extension into the runtime process
        SLACK_SIGNING_SECRET: signingSecret.valueAsString,
        // At the deadline the apology needs a fresh HTTPS connection to Slack (bounded to 1 s in
        // slash-command.mjs): abort the job 2 s before the deadline and give it 1.5 s to settle.
        AFTER_RESPONSE_DEADLINE_MARGIN_MS: '2000',
        AFTER_RESPONSE_ABORT_GRACE_MS: '1500',
        AFTER_RESPONSE_TASK_QUEUE_URL: tasks.queueUrl, // tasks that cannot finish in their invoke (docs/tasks.md)
      },
    });
    tasks.grantSendMessages(fn); // sqs:SendMessage, and sqs:GetQueueAttributes, which warms the sender (docs/tasks.md)
    // The event source mapping (grants receive, delete, GetQueueAttributes); only failed records come back.
    fn.addEventSource(new SqsEventSource(tasks, { batchSize: 10, reportBatchItemFailures: true }));
    // Public: Slack cannot sign AWS requests; the handler verifies Slack's signature instead.
    // aws-cdk-lib grants both lambda:InvokeFunctionUrl and lambda:InvokeFunction (via the URL).
    const url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    new CfnOutput(this, 'SlashCommandUrl', { value: url.url, description: 'The Request URL to give the Slack slash command.' });
    new CfnOutput(this, 'TaskDeadLetterQueueUrl', { value: deadLetters.queueUrl, description: 'Tasks that failed every delivery; inspect and redrive them.' });
  }

  private afterResponseLayer(props: SlackSlashCommandStackProps): ILayerVersion {
    const arn = props.afterResponseLayerArn;
    if (arn !== undefined && !Token.isUnresolved(arn) && !LAYER_VERSION_ARN.test(arn)) {
      throw new Error(`Expected \`afterResponseLayerArn\` to be a layer version ARN (arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION), got ${JSON.stringify(arn)}`);
    }
    if (arn !== undefined) return LayerVersion.fromLayerVersionArn(this, 'AfterResponseLayer', arn);
    return new LayerVersion(this, 'AfterResponseLayer', {
      layerVersionName: 'after-response',
      description: 'lambda-after-response (in-process extension that holds the environment until the jobs settle)',
      code: Code.fromAsset(props.layerZip ?? join(repoRoot, 'dist', 'after-response-layer.zip')),
      compatibleRuntimes: [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X],
      compatibleArchitectures: [Architecture.X86_64, Architecture.ARM_64], // JavaScript and a shell script only
      license: 'Apache-2.0',
    });
  }
}
