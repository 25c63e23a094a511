// CDK app: `npx cdk deploy --parameters SlackSigningSecret=...` from this directory, after
// `bash ../../../build.sh` (the layer zip). `-c afterResponseLayerArn=arn:...` uses a published
// layer instead; `-c runtime=nodejs22.x` picks the older runtime.
import { App } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { SlackSlashCommandStack } from './slack-stack.ts';

const app = new App();
const layerArn: unknown = app.node.tryGetContext('afterResponseLayerArn');
const runtime: unknown = app.node.tryGetContext('runtime');
new SlackSlashCommandStack(app, 'SlackSlashCommand', {
  afterResponseLayerArn: typeof layerArn === 'string' && layerArn !== '' ? layerArn : undefined,
  runtime: runtime === 'nodejs22.x' ? Runtime.NODEJS_22_X : Runtime.NODEJS_24_X,
});
