/**
 * Publishes the layer zip in each region with the AWS CLI and makes the version public
 * (`lambda:GetLayerVersion` for principal `*`). Safe to run again after a partial failure: a
 * region that already has a version with this release's description is reused (after checking its
 * content is this zip) instead of publishing a second one, and a grant already made is kept.
 */
import { field, parseJson, show } from './json-field.ts';
import { ARCHITECTURES, RUNTIMES } from './layer-arns.ts';

/** Runs `aws <args>`; resolves with its exit status and output (never rejects for a non-zero exit). */
export type AwsCli = (args: readonly string[]) => Promise<{ status: number; stdout: string; stderr: string }>;

export interface PublishLayerOptions {
  readonly aws: AwsCli;
  readonly zipPath: string;
  /** SHA-256 of the zip, hex: an existing version is reused only when its content matches. */
  readonly sha256: string;
  readonly regions: readonly string[];
  readonly layerName: string;
  readonly version: string;
  readonly log: (line: string) => void;
}

/** The statement id of the public grant on each layer version. */
export const PUBLIC_STATEMENT_ID = 'public-get-layer-version';

/** The description every version of this release carries (how a rerun finds it). */
export const layerDescription = (version: string): string =>
  `lambda-after-response ${version}: in-process extension that holds the environment until the jobs after the response settle`;

/**
 * Publishes (or finds) the release's layer version in every region, in order, and makes it public.
 * @returns per region, the AWS CLI's JSON for the version (publish-layer-version or get-layer-version)
 * @throws Error naming the region and the failing command with its output, or a version with
 *   this description but other content
 */
export async function publishLayer(o: PublishLayerOptions): Promise<{ region: string; output: unknown }[]> {
  const results: { region: string; output: unknown }[] = [];
  for (const region of o.regions) {
    const lambda = async (...args: string[]): Promise<unknown> => {
      const run = await o.aws(['lambda', ...args, '--region', region, '--output', 'json']);
      if (run.status !== 0) throw new Error(`${region}: aws lambda ${args[0] ?? ''} failed (exit ${run.status}): ${run.stderr.trim()}`);
      return run.stdout.trim() === '' ? {} : parseJson(run.stdout, `${region}: the output of aws lambda ${args[0] ?? ''}`);
    };
    const output = (await existingVersion(o, region, lambda)) ?? (await publish(o, region, lambda));
    await makePublic(o, region, lambda, Number(field(output, 'Version')));
    results.push({ region, output });
  }
  return results;
}

type Lambda = (...args: string[]) => Promise<unknown>;

async function existingVersion(o: PublishLayerOptions, region: string, lambda: Lambda): Promise<unknown> {
  const versions = field(await lambda('list-layer-versions', '--layer-name', o.layerName), 'LayerVersions');
  const same = (Array.isArray(versions) ? versions : [])
    .filter((v: unknown) => field(v, 'Description') === layerDescription(o.version))
    .map((v: unknown) => Number(field(v, 'Version')))
    .sort((a, b) => b - a);
  if (same[0] === undefined) return undefined;
  const output = await lambda('get-layer-version', '--layer-name', o.layerName, '--version-number', String(same[0]));
  const codeSha = field(field(output, 'Content'), 'CodeSha256');
  if (codeSha !== Buffer.from(o.sha256, 'hex').toString('base64')) {
    throw new Error(`${region}: ${o.layerName} version ${same[0]} is described as ${o.version} but holds other content (CodeSha256 ${show(codeSha)}): delete it (aws lambda delete-layer-version) or release a new version`);
  }
  o.log(`${region}: ${o.layerName} ${o.version} is already version ${same[0]} (same zip): reused`);
  return output;
}

async function publish(o: PublishLayerOptions, region: string, lambda: Lambda): Promise<unknown> {
  const output = await lambda('publish-layer-version', '--layer-name', o.layerName, '--description', layerDescription(o.version),
    '--license-info', 'Apache-2.0', '--zip-file', `fileb://${o.zipPath}`,
    '--compatible-runtimes', ...RUNTIMES, '--compatible-architectures', ...ARCHITECTURES);
  o.log(`${region}: published ${show(field(output, 'LayerVersionArn'))}`);
  return output;
}

/** Grants `lambda:GetLayerVersion` to `*`; a conflict means the statement exists (a rerun). Either way the policy is then read back. */
async function makePublic(o: PublishLayerOptions, region: string, lambda: Lambda, version: number): Promise<void> {
  const common = ['--layer-name', o.layerName, '--version-number', String(version)];
  const grant = await o.aws(['lambda', 'add-layer-version-permission', ...common, '--statement-id', PUBLIC_STATEMENT_ID,
    '--action', 'lambda:GetLayerVersion', '--principal', '*', '--region', region, '--output', 'json']);
  if (grant.status !== 0 && !grant.stderr.includes('ResourceConflictException')) {
    throw new Error(`${region}: aws lambda add-layer-version-permission failed (exit ${grant.status}): ${grant.stderr.trim()}`);
  }
  const policy = parseJson(String(field(await lambda('get-layer-version-policy', ...common), 'Policy')), `${region}: the layer version policy`);
  const statements = field(policy, 'Statement');
  const isPublic = Array.isArray(statements) && statements.some((s: unknown) => field(s, 'Sid') === PUBLIC_STATEMENT_ID && field(s, 'Effect') === 'Allow'
    && (field(s, 'Principal') === '*' || field(field(s, 'Principal'), 'AWS') === '*'));
  if (!isPublic) throw new Error(`${region}: ${o.layerName} version ${version} is not public after add-layer-version-permission (policy: ${show(policy)})`);
  o.log(`${region}: ${o.layerName} version ${version} is public (lambda:GetLayerVersion for *)`);
}
