// The environment Lambda gives a function (before the bootstrap adds its own variables).
import { randomBytes } from 'node:crypto';

export interface FunctionEnvInput {
  handler: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  extra: Record<string, string>;
}

export const functionName = 'after-response-rig';

export function functionEnv(input: FunctionEnvInput): Record<string, string> {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const env: Record<string, string> = {
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: input.handler,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memorySizeMb),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(input.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
  return { ...env, ...input.extra };
}
