// Publishing the layer per region (release/publish-layer.ts) against a fake AWS CLI that keeps
// each region's layer versions and policies; the regions file (release/regions.ts) and the
// repository stamp npm provenance needs (release/repository-stamp.ts).
import { describe, expect, test } from 'vitest';
import { layerDescription, publishLayer, PUBLIC_STATEMENT_ID, type AwsCli } from '../../release/publish-layer.ts';
import { parseRegions } from '../../release/regions.ts';
import { stampRepository } from '../../release/repository-stamp.ts';

const SHA = 'cc1e8f68c07cfb1402c3128c1890a8ece818d5d9931934f747e12e4d77170d9c';
const CODE_SHA = Buffer.from(SHA, 'hex').toString('base64');
interface Version { Version: number; Description: string; CodeSha256: string; statements: { Sid: string; Effect: string; Principal: unknown; Action: string }[] }

/** A fake `aws lambda …` over in-memory layers, recording every call; `fail` makes a command fail. */
function fakeAws(fail: Partial<Record<string, string>> = {}): { aws: AwsCli; calls: string[][]; layers: Map<string, Version[]> } {
  const layers = new Map<string, Version[]>();
  const calls: string[][] = [];
  const aws: AwsCli = async (args) => {
    calls.push([...args]);
    const opt = (name: string): string => args[args.indexOf(name) + 1] ?? '';
    const command = args[1] ?? '';
    const versions = layers.get(opt('--region')) ?? [];
    layers.set(opt('--region'), versions);
    const arn = (v: number): string => `arn:aws:lambda:${opt('--region')}:123456789012:layer:${opt('--layer-name')}:${v}`;
    const failure = fail[command];
    if (failure !== undefined) return { status: 254, stdout: '', stderr: failure };
    const found = versions.find((v) => v.Version === Number(opt('--version-number')));
    const ok = (body: unknown): { status: number; stdout: string; stderr: string } => ({ status: 0, stdout: JSON.stringify(body), stderr: '' });
    switch (command) {
      case 'list-layer-versions':
        return ok({ LayerVersions: versions.map((v) => ({ LayerVersionArn: arn(v.Version), Version: v.Version, Description: v.Description })) });
      case 'publish-layer-version': {
        const v = { Version: versions.length + 1, Description: opt('--description'), CodeSha256: CODE_SHA, statements: [] };
        versions.push(v);
        return ok({ LayerVersionArn: arn(v.Version), Version: v.Version, Content: { CodeSha256: v.CodeSha256 } });
      }
      case 'get-layer-version':
        return ok({ LayerVersionArn: arn(found!.Version), Version: found!.Version, Content: { CodeSha256: found!.CodeSha256 } });
      case 'add-layer-version-permission':
        if (found!.statements.some((s) => s.Sid === opt('--statement-id'))) return { status: 254, stdout: '', stderr: 'An error occurred (ResourceConflictException) when calling the AddLayerVersionPermission operation' };
        found!.statements.push({ Sid: opt('--statement-id'), Effect: 'Allow', Principal: opt('--principal'), Action: opt('--action') });
        return ok({ Statement: '{}', RevisionId: 'r' });
      case 'get-layer-version-policy':
        return ok({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: found!.statements }) });
      default:
        return { status: 252, stdout: '', stderr: `unknown command ${command}` };
    }
  };
  return { aws, calls, layers };
}

const options = (aws: AwsCli, log: string[] = []): Parameters<typeof publishLayer>[0] => ({
  aws, zipPath: '/tmp/after-response-layer.zip', sha256: SHA, regions: ['us-east-1', 'eu-west-1'], layerName: 'lambda-after-response', version: '1.2.0', log: (l) => void log.push(l),
});

describe('publishing the layer in each region', () => {
  test('publishes with both runtimes, both architectures, the licence and the zip, then grants GetLayerVersion to *', async () => {
    const fake = fakeAws();
    const results = await publishLayer(options(fake.aws));
    expect(results.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    const publish = fake.calls.find((c) => c[1] === 'publish-layer-version');
    expect(publish).toEqual(['lambda', 'publish-layer-version', '--layer-name', 'lambda-after-response', '--description', layerDescription('1.2.0'),
      '--license-info', 'Apache-2.0', '--zip-file', 'fileb:///tmp/after-response-layer.zip', '--compatible-runtimes', 'nodejs22.x', 'nodejs24.x',
      '--compatible-architectures', 'x86_64', 'arm64', '--region', 'us-east-1', '--output', 'json']);
    expect(fake.calls.find((c) => c[1] === 'add-layer-version-permission')).toEqual(expect.arrayContaining(['--principal', '*', '--action', 'lambda:GetLayerVersion', '--statement-id', PUBLIC_STATEMENT_ID]));
    expect(fake.layers.get('eu-west-1')?.[0]?.statements).toEqual([{ Sid: PUBLIC_STATEMENT_ID, Effect: 'Allow', Principal: '*', Action: 'lambda:GetLayerVersion' }]);
  });

  test('run again (a rerun after a partial failure): the same version is reused, nothing is published twice', async () => {
    const fake = fakeAws();
    await publishLayer(options(fake.aws));
    const log: string[] = [];
    const again = await publishLayer(options(fake.aws, log));
    expect(fake.calls.filter((c) => c[1] === 'publish-layer-version')).toHaveLength(2); // the first run's two regions only
    expect(again.map((r) => (r.output as { Version: number }).Version)).toEqual([1, 1]);
    expect(log).toContain('us-east-1: lambda-after-response 1.2.0 is already version 1 (same zip): reused');
  });

  test('a version described as this release but holding other content is not reused: the region is named', async () => {
    const fake = fakeAws();
    fake.layers.set('us-east-1', [{ Version: 4, Description: layerDescription('1.2.0'), CodeSha256: 'other', statements: [] }]);
    await expect(publishLayer(options(fake.aws))).rejects.toThrow('us-east-1: lambda-after-response version 4 is described as 1.2.0 but holds other content (CodeSha256 "other")');
    expect(fake.calls.filter((c) => c[1] === 'publish-layer-version')).toEqual([]);
  });

  test('a failing command stops the run naming the region, the command and its error; a region not yet reached is left alone', async () => {
    const fake = fakeAws({ 'publish-layer-version': 'An error occurred (AccessDeniedException): not authorized to perform: lambda:PublishLayerVersion' });
    await expect(publishLayer(options(fake.aws))).rejects.toThrow('us-east-1: aws lambda publish-layer-version failed (exit 254): An error occurred (AccessDeniedException)');
    expect(fake.calls.some((c) => c.includes('eu-west-1'))).toBe(false);
  });

  test('a grant that fails other than by conflict, or a policy that does not make the version public, fails the run', async () => {
    await expect(publishLayer(options(fakeAws({ 'add-layer-version-permission': 'AccessDeniedException' }).aws))).rejects.toThrow('us-east-1: aws lambda add-layer-version-permission failed');
    const fake = fakeAws();
    fake.layers.set('us-east-1', [{ Version: 1, Description: layerDescription('1.2.0'), CodeSha256: CODE_SHA, statements: [{ Sid: PUBLIC_STATEMENT_ID, Effect: 'Allow', Principal: '111122223333', Action: 'lambda:GetLayerVersion' }] }]);
    await expect(publishLayer(options(fake.aws))).rejects.toThrow('us-east-1: lambda-after-response version 1 is not public after add-layer-version-permission');
  });
});

describe('the regions file', () => {
  test('one region a line, comments and blank lines ignored; a bad name, a duplicate or no region refused by line', () => {
    expect(parseRegions('# comment\nus-east-1\n\n  eu-west-1  # Ireland\nus-gov-west-1\n')).toEqual(['us-east-1', 'eu-west-1', 'us-gov-west-1']);
    expect(() => parseRegions('us-east-1\nus-east\nUS-EAST-2\nus-east-1\n')).toThrow('the regions file: line 2: "us-east" is not a region name (e.g. eu-west-1); line 3: "US-EAST-2" is not a region name (e.g. eu-west-1); line 4: us-east-1 is listed twice');
    expect(() => parseRegions('# none\n')).toThrow('the regions file lists no region');
  });
});

describe('the repository stamp (npm provenance checks repository.url against the workflow\'s repository)', () => {
  test('sets repository to the GitHub repository, directory client; keeps the other fields', () => {
    expect(stampRepository({ name: 'lambda-after-response', version: '1.2.0' }, 'octo-org/lambda-after-response')).toEqual({
      name: 'lambda-after-response', version: '1.2.0', repository: { type: 'git', url: 'git+https://github.com/octo-org/lambda-after-response.git', directory: 'client' },
    });
  });

  test('an existing repository that names the same repository is accepted; another one, or a bad name, is refused', () => {
    expect(stampRepository({ repository: { url: 'https://github.com/Octo-Org/lambda-after-response' } }, 'octo-org/lambda-after-response')).toHaveProperty('repository.directory', 'client');
    expect(() => stampRepository({ repository: 'git+https://github.com/someone/else.git' }, 'octo-org/lambda-after-response'))
      .toThrow('package.json\'s repository is "git+https://github.com/someone/else.git", but this release runs in octo-org/lambda-after-response: npm would refuse the provenance');
    expect(() => stampRepository({}, 'no-slash')).toThrow('Expected the repository as owner/name (GITHUB_REPOSITORY), got "no-slash"');
    expect(() => stampRepository([], 'a/b')).toThrow('Expected package.json to hold an object, got []');
  });
});
