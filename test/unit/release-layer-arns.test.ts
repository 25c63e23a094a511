// The public layer's ARNs (release/layer-arns.ts, layer-arns-page.ts, release-notes.ts): what the
// release accepts from the AWS CLI's publish-layer-version output (the samples in
// test/fixtures/release/publish-outputs, for test/fixtures/release/sample-layer.zip), the record
// and the page.
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { addRelease, parseRecord, releaseFromOutputs, type ExpectedRelease, type LayerRelease } from '../../release/layer-arns.ts';
import { renderLayerArnsPage } from '../../release/layer-arns-page.ts';
import { releaseNotes } from '../../release/release-notes.ts';
import { sha256Hex, sha256sumLine } from '../../release/sha256.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'release');
const zip = readFileSync(join(fixtures, 'sample-layer.zip'));
const expected: ExpectedRelease = { version: '1.2.0', layerName: 'lambda-after-response', sha256: sha256Hex(zip) };
const samples = (): { where: string; output: Record<string, unknown> }[] => readdirSync(join(fixtures, 'publish-outputs')).sort()
  .map((f) => ({ where: f, output: JSON.parse(readFileSync(join(fixtures, 'publish-outputs', f), 'utf8')) as Record<string, unknown> }));
const withOutput = (region: number, patch: Record<string, unknown>): { where: string; output: unknown }[] =>
  samples().map((s, i) => (i === region ? { where: s.where, output: { ...s.output, ...patch } } : s));

describe('a release from the publish-layer-version outputs', () => {
  test('the samples: each region\'s ARN, sorted by region, the earliest creation day, the zip\'s SHA-256', () => {
    expect(releaseFromOutputs(samples(), expected)).toEqual({
      version: '1.2.0', layerName: 'lambda-after-response', published: '2027-01-15', sha256: 'cc1e8f68c07cfb1402c3128c1890a8ece818d5d9931934f747e12e4d77170d9c',
      arns: [
        { region: 'eu-west-1', arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response:3' },
        { region: 'us-east-1', arn: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-after-response:7' },
      ],
    });
  });

  test('other content than the zip (Content.CodeSha256) is refused, naming the region and both hashes', () => {
    expect(() => releaseFromOutputs(withOutput(1, { Content: { CodeSha256: 'AAAA' } }), expected))
      .toThrow('us-east-1 (us-east-1.json): `Content.CodeSha256` is "AAAA", the zip\'s is zB6PaMB8+xQCwxKMGJCo7OgY1dmTGTT3R+EuTXcXDZw=: other content was published');
  });

  test('a missing architecture or runtime, another layer, a version number not the ARN\'s, a description without the version: each named', () => {
    expect(() => releaseFromOutputs(withOutput(0, { CompatibleArchitectures: ['x86_64'] }), expected)).toThrow('`CompatibleArchitectures` is ["x86_64"], expected x86_64 and arm64');
    expect(() => releaseFromOutputs(withOutput(0, { CompatibleRuntimes: ['nodejs22.x'] }), expected)).toThrow('`CompatibleRuntimes` is ["nodejs22.x"], expected nodejs22.x and nodejs24.x');
    expect(() => releaseFromOutputs(samples(), { ...expected, layerName: 'other' })).toThrow('the layer is "lambda-after-response", not "other"');
    expect(() => releaseFromOutputs(withOutput(0, { Version: 4 }), expected)).toThrow('`Version` 4 is not the ARN\'s 3');
    expect(() => releaseFromOutputs(samples(), { ...expected, version: '1.2.1' })).toThrow('does not name 1.2.1');
  });

  test('no output, a region twice, an ARN that is not a layer version ARN: refused', () => {
    expect(() => releaseFromOutputs([], expected)).toThrow('the layer was published in no region');
    const [first] = samples();
    expect(() => releaseFromOutputs([first!, first!], expected)).toThrow('region(s) published twice: eu-west-1');
    expect(() => releaseFromOutputs(withOutput(0, { LayerVersionArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response' }), expected))
      .toThrow('eu-west-1.json: Expected `LayerVersionArn` to be a layer version ARN, got "arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response"');
  });

  test('any JSON value as an output: an Error naming where it came from, never a TypeError', () => {
    fc.assert(fc.property(fc.jsonValue(), (output) => {
      try {
        releaseFromOutputs([{ where: 'x.json', output }], expected);
        return false;
      } catch (error) {
        return error instanceof Error && !(error instanceof TypeError) && error.message.includes('x.json');
      }
    }));
  });
});

describe('the record (docs/layer-arns.json) and the page (docs/layer-arns.md)', () => {
  const release = releaseFromOutputs(samples(), expected);
  const older: LayerRelease = { ...release, version: '1.1.0', published: '2026-12-01', arns: [{ region: 'eu-west-1', arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response:2' }] };

  test('a new release goes first; releasing a version again replaces its entry; the JSON reads back the same', () => {
    const record = addRelease(addRelease({ layerName: 'lambda-after-response', releases: [] }, older), release);
    expect(record.releases.map((r) => r.version)).toEqual(['1.2.0', '1.1.0']);
    expect(addRelease(record, { ...release, published: '2027-01-16' }).releases.map((r) => [r.version, r.published])).toEqual([['1.2.0', '2027-01-16'], ['1.1.0', '2026-12-01']]);
    expect(parseRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(() => addRelease(record, { ...release, layerName: 'x' })).toThrow('the release is of layer "x", the record lists "lambda-after-response"');
  });

  test('a malformed record is refused naming the field', () => {
    expect(() => parseRecord({ layerName: 'l', releases: [{ ...release, sha256: 'zz' }] })).toThrow('releases[0].sha256: unexpected "zz"');
    expect(() => parseRecord({ layerName: 'l', releases: [{ ...release, arns: [{ region: 'us-east-1', arn: release.arns[0]!.arn }] }] })).toThrow('releases[0].arns[0]');
    expect(() => parseRecord([])).toThrow('Expected {"layerName": string, "releases": [...]}');
  });

  test('the page: the latest release\'s ARN per region, then the older releases; no release yet says how to build it', () => {
    const page = renderLayerArnsPage(addRelease({ layerName: 'lambda-after-response', releases: [older] }, release));
    expect(page).toMatch(/^# Layer ARNs\n/);
    expect(page).toContain('## 1.2.0 (latest)\n\nPublished 2027-01-15. Layer zip SHA-256: `cc1e8f68c07cfb1402c3128c1890a8ece818d5d9931934f747e12e4d77170d9c`.');
    expect(page).toContain('| us-east-1 | `arn:aws:lambda:us-east-1:123456789012:layer:lambda-after-response:7` |');
    expect(page.indexOf('## 1.2.0 (latest)')).toBeLessThan(page.indexOf('## 1.1.0'));
    expect(page).toContain('AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response');
    const empty = renderLayerArnsPage({ layerName: 'lambda-after-response', releases: [] });
    expect(empty).toContain('No release has been published yet');
    expect(empty).not.toContain('| region |');
  });

  test('the release notes: the changelog section, install lines, the ARNs and the checksums', () => {
    const notes = releaseNotes({ version: '1.2.0', changelog: '### Fixed\n\n- a fix\n', sums: `${sha256sumLine(zip, '/tmp/x/after-response-layer.zip')}\n`, layer: release });
    expect(notes).toMatch(/^### Fixed\n\n- a fix\n\n## Install\n/);
    expect(notes).toContain('`npm install lambda-after-response@1.2.0`');
    expect(notes).toContain('| eu-west-1 | `arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response:3` |');
    expect(notes).toContain('cc1e8f68c07cfb1402c3128c1890a8ece818d5d9931934f747e12e4d77170d9c  after-response-layer.zip');
  });
});
