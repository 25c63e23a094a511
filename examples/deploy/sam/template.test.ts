// The SAM template: clean under cfn-lint (no check ignored; it validates SAM resources against
// SAM's own schemas), and it wires what makes the layer work.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BAD_LAYER_ARNS, GOOD_LAYER_ARNS } from '../../../test/fixtures/release/layer-arn-samples.ts';
import { deployTools } from '../../../test/rig/tools.ts';

const here = import.meta.dirname;
const templateFile = join(here, 'template.yaml');
type Tree = Record<string, unknown> & { Parameters: Record<string, Tree>; Conditions: Record<string, unknown>; Resources: Record<string, { Type: string; Properties: Tree; Condition?: string }> };

/** The template as cfn-lint reads it (short-form intrinsics such as !Ref become objects). */
function decoded(): Tree {
  const script = 'import json, sys\nfrom cfnlint.decode import decode\ntemplate, errors = decode(sys.argv[1])\nif errors: sys.exit(str(errors))\nprint(json.dumps(template))';
  const run = spawnSync(deployTools().python, ['-c', script, templateFile], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Tree;
}

describe('SAM template: Slack slash command with the after-response layer', () => {
  test('cfn-lint finds nothing', () => {
    const run = spawnSync(deployTools().cfnLint, ['--', templateFile], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test('the function: exec wrapper variable, signing secret from a NoEcho parameter, runtime, handler, timeout', () => {
    const t = decoded();
    const fn = t.Resources.SlashCommandFunction;
    expect(fn?.Type).toBe('AWS::Serverless::Function');
    expect(fn?.Properties).toMatchObject({
      Handler: 'task-handler.handler',
      Runtime: { Ref: 'Runtime' },
      Timeout: { Ref: 'TimeoutSeconds' },
      Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response', SLACK_SIGNING_SECRET: { Ref: 'SlackSigningSecret' } } },
    });
    // What examples/slack-slash-command/README.md recommends: room for the apology at the deadline.
    expect(fn?.Properties.Environment).toMatchObject({ Variables: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '2000', AFTER_RESPONSE_ABORT_GRACE_MS: '1500' } });
    expect(t.Parameters.SlackSigningSecret).toMatchObject({ Type: 'String', NoEcho: true });
    expect(t.Parameters.Runtime).toMatchObject({ Default: 'nodejs24.x', AllowedValues: ['nodejs24.x', 'nodejs22.x'] });
    expect(t.Parameters.TimeoutSeconds).toMatchObject({ Default: 30 });
  });

  test('the code is examples/slack-slash-command; the layer is dist/after-response-layer.zip or a published ARN', () => {
    const t = decoded();
    const fn: Tree = t.Resources.SlashCommandFunction?.Properties ?? ({} as Tree);
    expect(existsSync(join(resolve(here, String(fn.CodeUri)), 'handler.mjs'))).toBe(true);
    expect(fn.Layers).toEqual([{ 'Fn::If': ['PublishLayer', { Ref: 'AfterResponseLayer' }, { Ref: 'AfterResponseLayerArn' }] }]);
    const layer = t.Resources.AfterResponseLayer;
    expect(layer).toMatchObject({ Type: 'AWS::Serverless::LayerVersion', Condition: 'PublishLayer', Properties: { CompatibleRuntimes: ['nodejs22.x', 'nodejs24.x'] } });
    expect(resolve(here, String(layer?.Properties.ContentUri))).toBe(resolve(here, '../../../dist/after-response-layer.zip'));
    expect(existsSync(resolve(here, String(layer?.Properties.ContentUri)))).toBe(true);
  });

  test('AfterResponseLayerArn: empty by default (the stack publishes the zip); a layer version ARN is accepted, anything else refused', () => {
    const t = decoded();
    expect(t.Parameters.AfterResponseLayerArn).toMatchObject({ Type: 'String', Default: '' });
    expect(t.Conditions.PublishLayer).toEqual({ 'Fn::Equals': [{ Ref: 'AfterResponseLayerArn' }, ''] });
    // CloudFormation matches AllowedPattern against the whole value; the samples are the CDK and Terraform tests' too.
    const pattern = new RegExp(String(t.Parameters.AfterResponseLayerArn?.AllowedPattern));
    expect(pattern.test('')).toBe(true);
    for (const arn of GOOD_LAYER_ARNS) expect(pattern.test(arn), arn).toBe(true);
    for (const arn of BAD_LAYER_ARNS) expect(pattern.test(arn), arn).toBe(false);
  });

  test('a public Function URL (auth NONE), invokable through the URL', () => {
    const t = decoded();
    expect(t.Resources.SlashCommandFunction?.Properties.FunctionUrlConfig).toEqual({ AuthType: 'NONE' });
    expect(t.Resources.SlashCommandInvokeViaUrl).toMatchObject({
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true, FunctionName: { Ref: 'SlashCommandFunction' } },
    });
  });

  test('the task queue: a DLQ with a redrive policy, the event source mapping with ReportBatchItemFailures, SendMessage and GetQueueAttributes, the queue URL in the env', () => {
    const t = decoded();
    const fn = t.Resources.SlashCommandFunction?.Properties ?? ({} as Tree);
    expect(existsSync(join(resolve(here, String(fn.CodeUri)), 'task-handler.mjs'))).toBe(true);
    expect(fn.Environment).toMatchObject({ Variables: { AFTER_RESPONSE_TASK_QUEUE_URL: { Ref: 'TaskQueue' } } });
    expect(fn.Policies).toEqual([{ Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], Resource: { 'Fn::GetAtt': ['TaskQueue', 'Arn'] } }] }]);
    expect(fn.Events).toEqual({ Tasks: { Type: 'SQS', Properties: { Queue: { 'Fn::GetAtt': ['TaskQueue', 'Arn'] }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] } } });
    expect(t.Resources.TaskQueue).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: { 'Fn::FindInMap': ['TaskQueueVisibility', { Ref: 'TimeoutSeconds' }, 'Seconds'] }, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['TaskDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 } },
    });
    expect(t.Resources.TaskDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    // AWS's guidance: visibility timeout >= 6 x the function timeout, for every timeout allowed.
    const timeouts = (t.Parameters.TimeoutSeconds as Tree).AllowedValues as unknown[];
    const visibility = (t.Mappings as Record<string, Record<string, { Seconds: number }>>).TaskQueueVisibility ?? {};
    expect(Object.keys(visibility).map(Number).sort((a, b) => a - b)).toEqual(timeouts.map(Number).sort((a, b) => a - b));
    for (const timeout of timeouts) expect(visibility[String(timeout)]?.Seconds).toBe(6 * Number(timeout));
  });
});
