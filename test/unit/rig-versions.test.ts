// The SQS client the runtime replica ships (versions.env, provisioned into the cache) is the one
// the rig's test side and type checks use (the root devDependency): one version, or they drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the rig\'s pinned versions', () => {
  it('give @aws-sdk/client-sqs the same version in versions.env and in the root devDependencies', () => {
    const pinned = /^AWS_SDK_CLIENT_SQS_VERSION=(.+)$/m.exec(read('../rig/versions.env'))?.[1];
    const manifest = JSON.parse(read('../../package.json')) as { devDependencies: Record<string, string> };
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies['@aws-sdk/client-sqs']).toBe(pinned);
  });
});
