// Synthesizes the CDK app's stack and asserts what makes the layer work (the layer, the exec
// wrapper variable, the runtime, the timeout, the public Function URL and its two permissions),
// then lints the synthesized template with cfn-lint (provisioned by test/rig/provision.sh).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, test } from 'vitest';
import { BAD_LAYER_ARNS, GOOD_LAYER_ARNS } from '../../../test/fixtures/release/layer-arn-samples.ts';
import { deployTools } from '../../../test/rig/tools.ts';
import { runtimeFromContext, SlackSlashCommandStack, type SlackSlashCommandStackProps } from './slack-stack.ts';

const here = import.meta.dirname;
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synth(props: SlackSlashCommandStackProps = {}): { template: Template; stack: SlackSlashCommandStack; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'lar-cdk-'));
  outdirs.push(outdir);
  const stack = new SlackSlashCommandStack(new App({ outdir }), 'SlackSlashCommand', props);
  return { template: Template.fromStack(stack), stack, outdir };
}

describe('CDK app: Slack slash command with the after-response layer', () => {
  // Asynchronous: tsc takes tens of seconds on a loaded machine, and a synchronous call would block
  // the worker's RPC with vitest past its timeout.
  test('the source type-checks (its own tsconfig)', async () => {
    await promisify(execFile)(join(here, '..', '..', '..', 'node_modules', '.bin', 'tsc'), ['-p', join(here, 'tsconfig.json'), '--noEmit'])
      .catch((error: unknown) => { throw new Error(`tsc -p examples/deploy/cdk: ${String((error as { stdout?: unknown }).stdout ?? error)}`); });
  });

  test('publishes the layer from dist/after-response-layer.zip and attaches it', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs22.x', 'nodejs24.x'],
      Content: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    template.hasResourceProperties('AWS::Lambda::Function', { Layers: [{ Ref: Object.keys(layers)[0] }] });
  });

  test('the task queue: DLQ and redrive, visibility 6 x the timeout, the event source mapping with ReportBatchItemFailures, SendMessage and GetQueueAttributes, the URL in the env', () => {
    const { template } = synth();
    const queues = template.findResources('AWS::SQS::Queue');
    const [mainId, main] = Object.entries(queues).find(([, q]) => (q as { Properties?: { RedrivePolicy?: unknown } }).Properties?.RedrivePolicy !== undefined) ?? [];
    const dlqId = Object.keys(queues).find((id) => id !== mainId);
    expect(Object.keys(queues)).toHaveLength(2);
    expect(main).toMatchObject({ Properties: { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: { 'Fn::GetAtt': [mainId, 'Arn'] }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { AFTER_RESPONSE_TASK_QUEUE_URL: { Ref: mainId } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage', 'sqs:GetQueueAttributes']), Resource: { 'Fn::GetAtt': [mainId, 'Arn'] } })]) },
    });
  });

  test('the function: exec wrapper variable, signing secret from a NoEcho parameter, runtime, handler, timeout', () => {
    const { template } = synth();
    template.hasParameter('SlackSigningSecret', { Type: 'String', NoEcho: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'task-handler.handler',
      Timeout: 30,
      Environment: {
        Variables: {
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response',
          SLACK_SIGNING_SECRET: { Ref: 'SlackSigningSecret' },
          // What examples/slack-slash-command/README.md recommends: room for the apology at the deadline.
          AFTER_RESPONSE_DEADLINE_MARGIN_MS: '2000',
          AFTER_RESPONSE_ABORT_GRACE_MS: '1500',
        },
      },
    });
  });

  test('deploys examples/slack-slash-command/handler.mjs as the code', () => {
    const { stack, outdir } = synth();
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const withHandler = assets.filter((d) => existsSync(join(outdir, d, 'handler.mjs')));
    expect(withHandler, `staged assets of ${stack.stackName}: ${assets.join(', ')}`).toHaveLength(1);
  });

  test('a public Function URL (auth NONE), invokable through the URL only', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true });
    template.hasOutput('SlashCommandUrl', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'FunctionUrl'] } });
  });

  test('a published layer ARN, nodejs22.x and another timeout instead of the defaults', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:layer:after-response:7';
    const { template } = synth({ afterResponseLayerArn: arn, runtime: Runtime.NODEJS_22_X, timeout: Duration.seconds(60) });
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { Layers: [arn], Runtime: 'nodejs22.x', Timeout: 60 });
  });

  test('afterResponseLayerArn: every layer version ARN of the samples is attached as given; anything else is refused by name', () => {
    for (const arn of GOOD_LAYER_ARNS) synth({ afterResponseLayerArn: arn }).template.hasResourceProperties('AWS::Lambda::Function', { Layers: [arn] });
    for (const arn of BAD_LAYER_ARNS) {
      expect(() => synth({ afterResponseLayerArn: arn }), arn).toThrow(`Expected \`afterResponseLayerArn\` to be a layer version ARN (arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION), got ${JSON.stringify(arn)}`);
    }
  });

  test('`-c runtime=…`: nodejs22.x / nodejs24.x / not given pick a runtime; anything else is refused by name', () => {
    expect(runtimeFromContext('nodejs22.x')).toBe(Runtime.NODEJS_22_X);
    expect(runtimeFromContext('nodejs24.x')).toBe(Runtime.NODEJS_24_X);
    expect(runtimeFromContext(undefined)).toBe(Runtime.NODEJS_24_X);
    expect(runtimeFromContext('')).toBe(Runtime.NODEJS_24_X);
    expect(() => runtimeFromContext('nodejs20.x')).toThrow('Expected context `runtime` to be one of nodejs24.x, nodejs22.x, got "nodejs20.x"');
    expect(() => runtimeFromContext('toString')).toThrow('got "toString"');
    expect(() => runtimeFromContext(22)).toThrow('got 22');
  });

  test('the app (cdk.json\'s command) refuses an unknown runtime before synthesizing anything', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'lar-cdk-app-'));
    outdirs.push(outdir);
    const context = JSON.stringify({ runtime: 'nodejs20.x' });
    const run = spawnSync(join(here, '..', '..', '..', 'node_modules', '.bin', 'vite-node'), ['app.ts'], {
      cwd: here, encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: context },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Expected context `runtime` to be one of nodejs24.x, nodejs22.x, got "nodejs20.x"');
    expect(readdirSync(outdir)).toEqual([]);
  });

  test('cfn-lint finds nothing in the synthesized template (but the redundant DependsOn aws-cdk-lib adds)', () => {
    const { template, outdir } = synth();
    const file = join(outdir, 'synthesized.template.json');
    writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
    // W3005 only: aws-cdk-lib itself makes every Function depend on its role (DependsOn besides
    // the GetAtt), which cfn-lint calls redundant; everything else counts.
    const run = spawnSync(deployTools().cfnLint, ['--ignore-checks', 'W3005', '--', file], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
