// CDK app. From this directory, after building the layer zip (`cd ../../.. && npm ci && bash build.sh`):
//   npm install                       # aws-cdk-lib, constructs, the aws-cdk CLI and vite-node (cdk.json's app command)
//   npx cdk bootstrap                 # once per account and region, before the first deploy
//   npx cdk deploy --parameters SlackSigningSecret=...
// `-c afterResponseLayerArn=arn:...` attaches a published layer instead (docs/layer-arns.md); `-c runtime=nodejs22.x` picks
// the older runtime (any other value is refused with an error naming the allowed ones).
import { App } from 'aws-cdk-lib';
import { runtimeFromContext, SlackSlashCommandStack } from './slack-stack.ts';

const app = new App();
const layerArn: unknown = app.node.tryGetContext('afterResponseLayerArn');
new SlackSlashCommandStack(app, 'SlackSlashCommand', {
  afterResponseLayerArn: typeof layerArn === 'string' && layerArn !== '' ? layerArn : undefined,
  runtime: runtimeFromContext(app.node.tryGetContext('runtime')),
});
