/**
 * The public layer's ARNs as data: one release (its version, the zip's SHA-256, the layer version
 * ARN in each region) built from the `publish-layer-version` / `get-layer-version` JSON that the
 * AWS CLI printed per region, checked against what was meant to be published; and the record of
 * every release (docs/layer-arns.json, newest first) that docs/layer-arns.md is rendered from.
 */
import { field, show } from './json-field.ts';
import { isSemver } from './version-check.ts';

export const RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
/** arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION (the partitions: aws, aws-cn, aws-us-gov…). */
const LAYER_VERSION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):layer:([A-Za-z0-9_-]+):([1-9]\d*)$/;

export interface RegionArn {
  readonly region: string;
  /** The layer version ARN to attach, e.g. `arn:aws:lambda:eu-west-1:123456789012:layer:lambda-after-response:3`. */
  readonly arn: string;
}

export interface LayerRelease {
  /** The package and layer version (semver), e.g. `1.2.3`. */
  readonly version: string;
  readonly layerName: string;
  /** The day the first region's version was created, `YYYY-MM-DD` (UTC). */
  readonly published: string;
  /** SHA-256 of the published zip, hex (as `sha256sum` prints it). */
  readonly sha256: string;
  readonly arns: readonly RegionArn[];
}

export interface LayerArnsRecord {
  readonly layerName: string;
  /** Newest first. */
  readonly releases: readonly LayerRelease[];
}

export interface ExpectedRelease {
  readonly version: string;
  readonly layerName: string;
  /** SHA-256 of the zip, hex; Lambda reports it base64-encoded as `Content.CodeSha256`. */
  readonly sha256: string;
}


/**
 * One region's layer version, checked: its ARN names the layer, its content is the zip, it declares
 * both runtimes and both architectures, its description names the version.
 * @throws Error naming the region (or the output's position) and each field that is wrong
 */
export function regionArn(output: unknown, expected: ExpectedRelease, where: string): RegionArn & { created: string } {
  const arn = field(output, 'LayerVersionArn');
  const match = typeof arn === 'string' ? LAYER_VERSION_ARN.exec(arn) : null;
  if (match === null) throw new Error(`${where}: Expected \`LayerVersionArn\` to be a layer version ARN, got ${show(arn)}`);
  const region = match[2] ?? '';
  const problems: string[] = [];
  if (match[4] !== expected.layerName) problems.push(`the layer is ${show(match[4])}, not ${show(expected.layerName)}`);
  if (String(field(output, 'Version')) !== match[5]) problems.push(`\`Version\` ${show(field(output, 'Version'))} is not the ARN's ${match[5] ?? ''}`);
  const codeSha = field(field(output, 'Content'), 'CodeSha256');
  const zipSha = Buffer.from(expected.sha256, 'hex').toString('base64');
  if (codeSha !== zipSha) problems.push(`\`Content.CodeSha256\` is ${show(codeSha)}, the zip's is ${zipSha}: other content was published`);
  for (const [key, wanted] of [['CompatibleRuntimes', RUNTIMES], ['CompatibleArchitectures', ARCHITECTURES]] as const) {
    const got = field(output, key);
    if (!Array.isArray(got) || wanted.some((w) => !got.includes(w))) problems.push(`\`${key}\` is ${show(got)}, expected ${wanted.join(' and ')}`);
  }
  const description = field(output, 'Description');
  if (typeof description !== 'string' || !description.includes(` ${expected.version}`)) problems.push(`\`Description\` ${show(description)} does not name ${expected.version}`);
  const created = field(output, 'CreatedDate');
  if (typeof created !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(created)) problems.push(`\`CreatedDate\` is ${show(created)}`);
  if (problems.length > 0) throw new Error(`${region} (${where}): ${problems.join('; ')}`);
  return { region, arn: arn as string, created: created as string };
}

/**
 * The release made of every region's output (sorted by region), checked as {@link regionArn} does.
 * @throws Error on an empty list, a region published twice, or any output {@link regionArn} refuses
 */
export function releaseFromOutputs(outputs: readonly { where: string; output: unknown }[], expected: ExpectedRelease): LayerRelease {
  if (!isSemver(expected.version)) throw new Error(`Expected a semver version, got ${show(expected.version)}`);
  if (outputs.length === 0) throw new Error('no publish-layer-version output: the layer was published in no region');
  const regions = outputs.map(({ where, output }) => regionArn(output, expected, where));
  const twice = regions.map((r) => r.region).filter((r, i, all) => all.indexOf(r) !== i);
  if (twice.length > 0) throw new Error(`region(s) published twice: ${[...new Set(twice)].join(', ')}`);
  // CreatedDate is UTC as Lambda writes it (`2027-01-15T10:01:58.901+0000`): its date part is the day.
  const published = regions.map((r) => r.created.slice(0, 10)).sort()[0] ?? '';
  const arns = regions.map(({ region, arn }) => ({ region, arn })).sort((a, b) => a.region.localeCompare(b.region));
  return { version: expected.version, layerName: expected.layerName, published, sha256: expected.sha256, arns };
}

/** The record with `release` first (replacing an earlier entry of the same version). */
export function addRelease(record: LayerArnsRecord, release: LayerRelease): LayerArnsRecord {
  if (release.layerName !== record.layerName) throw new Error(`the release is of layer ${show(release.layerName)}, the record lists ${show(record.layerName)}`);
  return { layerName: record.layerName, releases: [release, ...record.releases.filter((r) => r.version !== release.version)] };
}

/**
 * A record read from JSON (docs/layer-arns.json), every release checked for shape.
 * @throws Error naming the first field that is missing or of the wrong type
 */
export function parseRecord(value: unknown): LayerArnsRecord {
  const layerName = field(value, 'layerName');
  const releases = field(value, 'releases');
  if (typeof layerName !== 'string' || !Array.isArray(releases)) throw new Error(`Expected {"layerName": string, "releases": [...]}, got ${show(value).slice(0, 200)}`);
  return { layerName, releases: releases.map((r: unknown, i) => parseRelease(r, `releases[${i}]`)) };
}

/**
 * One release read from JSON (an entry of docs/layer-arns.json, or layer-release's output).
 * @throws Error naming `where` and the first field that is missing or malformed
 */
export function parseRelease(value: unknown, where: string): LayerRelease {
  const text = (key: string, pattern: RegExp): string => {
    const v = field(value, key);
    if (typeof v !== 'string' || !pattern.test(v)) throw new Error(`${where}.${key}: unexpected ${show(v)}`);
    return v;
  };
  const arns = field(value, 'arns');
  if (!Array.isArray(arns)) throw new Error(`${where}.arns: expected a list, got ${show(arns)}`);
  return {
    version: text('version', /^\d+\.\d+\.\d+\S*$/), layerName: text('layerName', /^[A-Za-z0-9_-]+$/),
    published: text('published', /^\d{4}-\d{2}-\d{2}$/), sha256: text('sha256', /^[0-9a-f]{64}$/),
    arns: arns.map((a: unknown, i) => {
      const region = field(a, 'region');
      const arn = field(a, 'arn');
      if (typeof region !== 'string' || typeof arn !== 'string' || LAYER_VERSION_ARN.exec(arn)?.[2] !== region) throw new Error(`${where}.arns[${i}]: unexpected ${show(a)}`);
      return { region, arn };
    }),
  };
}
