/** The GitHub release's notes: the CHANGELOG section, how to install, the layer ARNs and the checksums. */
import type { LayerRelease } from './layer-arns.ts';

export interface ReleaseNotesInput {
  readonly version: string;
  /** The CHANGELOG.md section's body. */
  readonly changelog: string;
  /** The SHA256SUMS file's lines. */
  readonly sums: string;
  readonly layer: LayerRelease;
}

export function releaseNotes(input: ReleaseNotesInput): string {
  const { version, layer } = input;
  return [
    input.changelog.trim(),
    '',
    '## Install',
    '',
    `- npm: \`npm install lambda-after-response@${version}\` (published with provenance from this workflow run)`,
    `- Layer \`${layer.layerName}\` (\`nodejs22.x\`, \`nodejs24.x\`; \`x86_64\`, \`arm64\`), public, one ARN per region; set \`AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response\`:`,
    '',
    '| region | layer version ARN |',
    '|---|---|',
    ...layer.arns.map((a) => `| ${a.region} | \`${a.arn}\` |`),
    '',
    '## Checksums (SHA-256)',
    '',
    '```',
    input.sums.trim(),
    '```',
    '',
  ].join('\n');
}
