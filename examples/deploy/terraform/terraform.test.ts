// The Terraform configuration, checked without Terraform: `terraform validate` needs the aws and
// archive providers' schemas, which `terraform init` downloads from a provider registry this
// project cannot reach (see docs/contributing.md, "Deploy template checks"). Instead: HashiCorp's own HCL parser and
// formatter (hclfmt: syntax, canonical layout), then python-hcl2's parse for what makes the layer
// work and for references to undeclared variables, locals, resources and data sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BAD_LAYER_ARNS, GOOD_LAYER_ARNS } from '../../../test/fixtures/release/layer-arn-samples.ts';
import { deployTools } from '../../../test/rig/tools.ts';

const here = import.meta.dirname;
const repoRoot = join(here, '..', '..', '..');
const files = readdirSync(here).filter((f) => f.endsWith('.tf')).sort();
type Tree = Record<string, unknown>;

/** python-hcl2 8 keeps HCL's quotes on keys and string values; drop them, and its bookkeeping keys. */
function unquote(value: unknown): unknown {
  if (typeof value === 'string') return /^"(.*)"$/s.exec(value)?.[1] ?? value;
  if (Array.isArray(value)) return value.map(unquote);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('__')).map(([k, v]) => [String(unquote(k)), unquote(v)]));
  }
  return value;
}

function parsed(): Record<string, Tree[]> {
  const script = 'import hcl2, json, sys\nout = {}\nfor f in sys.argv[1:]:\n  with open(f) as fh:\n    for k, v in hcl2.load(fh).items(): out.setdefault(k, []).extend(v)\nprint(json.dumps(out))';
  const run = spawnSync(deployTools().python, ['-c', script, ...files.map((f) => join(here, f))], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return unquote(JSON.parse(run.stdout)) as Record<string, Tree[]>;
}

/** `resource "type" "name" {…}` blocks as "type.name" → body (likewise data, variable). */
function blocks(tree: Record<string, Tree[]>, kind: string, depth: 1 | 2): Map<string, Tree> {
  const out = new Map<string, Tree>();
  for (const entry of tree[kind] ?? []) {
    for (const [a, inner] of Object.entries(entry)) {
      if (depth === 1) out.set(a, inner as Tree);
      else for (const [b, body] of Object.entries(inner as Tree)) out.set(`${a}.${b}`, body as Tree);
    }
  }
  return out;
}

describe('Terraform configuration: Slack slash command with the after-response layer', () => {
  test.each(files)('%s parses (hclfmt -check) and is formatted canonically (hclfmt -require-no-change)', (file) => {
    const { hclfmt } = deployTools();
    const check = spawnSync(hclfmt, ['-check', join(here, file)], { encoding: 'utf8' });
    expect(check.stderr).toBe(''); // diagnostics (the formatted source goes to stdout)
    expect(check.status).toBe(0);
    const fmt = spawnSync(hclfmt, ['-require-no-change', join(here, file)], { encoding: 'utf8' });
    expect(fmt.stderr).toBe('');
    expect(fmt.status).toBe(0);
  });

  test('the function: exec wrapper variable, sensitive signing secret, runtime, handler, timeout, the layer', () => {
    const tree = parsed();
    const fn = blocks(tree, 'resource', 2).get('aws_lambda_function.slash_command');
    expect(fn).toMatchObject({ handler: 'task-handler.handler', runtime: '${var.runtime}', timeout: '${var.timeout_seconds}', layers: ['${local.layer_arn}'] });
    expect(fn?.environment).toEqual([{
      variables: {
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response',
        SLACK_SIGNING_SECRET: '${var.slack_signing_secret}',
        // What examples/slack-slash-command/README.md recommends: room for the apology at the deadline.
        AFTER_RESPONSE_DEADLINE_MARGIN_MS: '2000',
        AFTER_RESPONSE_ABORT_GRACE_MS: '1500',
        AFTER_RESPONSE_TASK_QUEUE_URL: '${aws_sqs_queue.tasks.url}',
      },
    }]);
    const vars = blocks(tree, 'variable', 1);
    expect(vars.get('slack_signing_secret')).toMatchObject({ sensitive: true, type: 'string' });
    expect(vars.get('runtime')).toMatchObject({ default: 'nodejs24.x' });
    expect(vars.get('timeout_seconds')).toMatchObject({ default: 30 });
  });

  test('the layer comes from dist/after-response-layer.zip unless a published ARN is given', () => {
    const tree = parsed();
    const locals = Object.assign({}, ...(tree.locals ?? [])) as Tree;
    expect(locals.layer_zip).toBe('${local.repo_root}/dist/after-response-layer.zip');
    expect(locals.repo_root).toBe('${path.module}/../../..');
    expect(existsSync(join(here, '../../..', 'dist', 'after-response-layer.zip'))).toBe(true);
    expect(locals.layer_arn).toMatch(/var\.after_response_layer_arn != null \? var\.after_response_layer_arn : aws_lambda_layer_version\.after_response\[0\]\.arn/);
    expect(blocks(tree, 'resource', 2).get('aws_lambda_layer_version.after_response')).toMatchObject({
      filename: '${local.layer_zip}', compatible_runtimes: ['nodejs22.x', 'nodejs24.x'], count: '${var.after_response_layer_arn == null ? 1 : 0}',
    });
  });

  test('after_response_layer_arn: null by default (the zip is published); a layer version ARN is accepted, anything else refused', () => {
    const variable = blocks(parsed(), 'variable', 1).get('after_response_layer_arn');
    expect(variable).toMatchObject({ type: 'string', default: null });
    const [validation] = (variable?.validation ?? []) as Tree[];
    const condition = String(validation?.condition);
    expect(condition).toMatch(/^\$\{var\.after_response_layer_arn == null \|\| can\(regex\("(.+)", var\.after_response_layer_arn\)\)\}$/);
    // The RE2 pattern Terraform applies (HCL string escapes: none in it), evaluated on the same samples as the SAM and CDK templates.
    const pattern = new RegExp(/regex\("(.+)", var/.exec(condition)?.[1] ?? '(?!)');
    for (const arn of GOOD_LAYER_ARNS) expect(pattern.test(arn), arn).toBe(true);
    for (const arn of BAD_LAYER_ARNS) expect(pattern.test(arn), arn).toBe(false);
    expect(String(validation?.error_message)).toContain('docs/layer-arns.md');
  });

  test('the function code is an archive of examples/slack-slash-command (with handler.mjs)', () => {
    const archive = blocks(parsed(), 'data', 2).get('archive_file.function');
    expect(archive).toMatchObject({ type: 'zip', source_dir: '${local.repo_root}/examples/slack-slash-command' });
    expect(existsSync(join(repoRoot, 'examples', 'slack-slash-command', 'handler.mjs'))).toBe(true);
  });

  test('the task queue: DLQ and redrive, visibility 6 x the timeout, the event source mapping with ReportBatchItemFailures, SendMessage', () => {
    const resources = blocks(parsed(), 'resource', 2);
    const queue = resources.get('aws_sqs_queue.tasks');
    expect(queue?.visibility_timeout_seconds).toBe('${6 * var.timeout_seconds}');
    expect(String(queue?.redrive_policy)).toMatch(/deadLetterTargetArn = aws_sqs_queue\.task_dlq\.arn/);
    expect(String(queue?.redrive_policy)).toMatch(/maxReceiveCount\s+= 5/);
    expect(resources.get('aws_sqs_queue.task_dlq')).toBeDefined();
    expect(resources.get('aws_lambda_event_source_mapping.tasks')).toMatchObject({
      event_source_arn: '${aws_sqs_queue.tasks.arn}', function_name: '${aws_lambda_function.slash_command.arn}', function_response_types: ['ReportBatchItemFailures'],
    });
    expect(String(resources.get('aws_iam_role_policy.task_send')?.policy)).toMatch(/"sqs:SendMessage"/);
    expect(resources.get('aws_iam_role_policy_attachment.sqs_consume')?.policy_arn).toMatch(/AWSLambdaSQSQueueExecutionRole$/);
  });

  test('a public Function URL (auth NONE) with both permissions', () => {
    const resources = blocks(parsed(), 'resource', 2);
    expect(resources.get('aws_lambda_function_url.slash_command')).toMatchObject({ authorization_type: 'NONE' });
    const permissions = [...resources].filter(([k]) => k.startsWith('aws_lambda_permission.')).map(([, v]) => v);
    expect(permissions).toContainEqual(expect.objectContaining({ action: 'lambda:InvokeFunctionUrl', principal: '*', function_url_auth_type: 'NONE' }));
    expect(permissions).toContainEqual(expect.objectContaining({ action: 'lambda:InvokeFunction', principal: '*', invoked_via_function_url: true }));
  });

  test('every variable, local, resource and data source referenced is declared, and every variable is used', () => {
    const tree = parsed();
    const text = JSON.stringify(tree);
    const declared = {
      var: new Set(blocks(tree, 'variable', 1).keys()),
      local: new Set((tree.locals ?? []).flatMap((l) => Object.keys(l))),
      resource: new Set(blocks(tree, 'resource', 2).keys()),
      data: new Set(blocks(tree, 'data', 2).keys()),
    };
    const refs = (re: RegExp): string[] => [...new Set([...text.matchAll(re)].map((m) => m[1] ?? ''))];
    expect(refs(/\bvar\.([a-z0-9_]+)/g).filter((n) => !declared.var.has(n))).toEqual([]);
    expect(refs(/\blocal\.([a-z0-9_]+)/g).filter((n) => !declared.local.has(n))).toEqual([]);
    expect(refs(/\bdata\.([a-z0-9_]+\.[a-z0-9_]+)/g).filter((n) => !declared.data.has(n))).toEqual([]);
    expect(refs(/(?<![.\w])(aws_[a-z0-9_]+\.[a-z0-9_]+)/g).filter((n) => !declared.resource.has(n))).toEqual([]);
    expect([...declared.var].filter((n) => !text.includes(`var.${n}`))).toEqual([]);
  });
});
