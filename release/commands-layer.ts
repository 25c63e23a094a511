/** `regions`, `publish-layer`, `layer-release` and `layer-arns`: the public layer and its ARNs page. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { required, type CommandContext } from './cli-options.ts';
import { parseJson } from './json-field.ts';
import { addRelease, parseRecord, parseRelease, releaseFromOutputs } from './layer-arns.ts';
import { renderLayerArnsPage } from './layer-arns-page.ts';
import { publishLayer, type AwsCli } from './publish-layer.ts';
import { parseRegions } from './regions.ts';
import { sha256Hex } from './sha256.ts';

/** Prints the regions of `--file`, one a line, after checking them. */
export function regionsCommand({ values, print }: CommandContext): void {
  for (const region of parseRegions(readFileSync(required(values, 'file', 'regions'), 'utf8'))) print(region);
}

/** The AWS CLI on PATH (credentials from the environment, as configure-aws-credentials leaves them). */
const awsCli: AwsCli = (args) => new Promise((resolve, reject) => {
  const child = spawn('aws', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_PAGER: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('error', (error) => reject(new Error(`cannot run the AWS CLI (aws): ${error.message}`)));
  child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
});

/** Publishes the zip in every region of `--regions-file`; writes `<region>.json` per region into `--out`. */
export async function publishLayerCommand({ values, print }: CommandContext): Promise<void> {
  const zipPath = required(values, 'zip', 'publish-layer');
  const out = required(values, 'out', 'publish-layer');
  const results = await publishLayer({
    aws: awsCli, zipPath, sha256: sha256Hex(readFileSync(zipPath)), log: print,
    regions: parseRegions(readFileSync(required(values, 'regions-file', 'publish-layer'), 'utf8')),
    layerName: required(values, 'layer-name', 'publish-layer'), version: required(values, 'version', 'publish-layer'),
  });
  mkdirSync(out, { recursive: true });
  for (const { region, output } of results) writeFileSync(join(out, `${region}.json`), `${JSON.stringify(output, null, 2)}\n`);
}

/** Reads every `*.json` of `--outputs`, checks them against the zip and version, writes the release's ARNs to `--out`. */
export function layerReleaseCommand({ values, print }: CommandContext): void {
  const dir = required(values, 'outputs', 'layer-release');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const release = releaseFromOutputs(files.map((f) => ({ where: f, output: parseJson(readFileSync(join(dir, f), 'utf8'), join(dir, f)) })), {
    version: required(values, 'version', 'layer-release'), layerName: required(values, 'layer-name', 'layer-release'),
    sha256: sha256Hex(readFileSync(required(values, 'zip', 'layer-release'))),
  });
  writeFileSync(required(values, 'out', 'layer-release'), `${JSON.stringify(release, null, 2)}\n`);
  print(`${release.layerName} ${release.version}: ${release.arns.length} region(s): ${release.arns.map((a) => a.region).join(', ')}`);
}

/** Adds `--release` to the record `--record` (created if missing) and renders `--page`. */
export function layerArnsCommand({ values, print }: CommandContext): void {
  const releaseFile = required(values, 'release', 'layer-arns');
  const recordFile = required(values, 'record', 'layer-arns');
  const release = parseRelease(parseJson(readFileSync(releaseFile, 'utf8'), releaseFile), releaseFile);
  const record = existsSync(recordFile) ? parseRecord(parseJson(readFileSync(recordFile, 'utf8'), recordFile)) : { layerName: release.layerName, releases: [] };
  const updated = addRelease(record, release);
  writeFileSync(recordFile, `${JSON.stringify(updated, null, 2)}\n`);
  writeFileSync(required(values, 'page', 'layer-arns'), renderLayerArnsPage(updated));
  print(`${recordFile}: ${updated.releases.length} release(s), ${release.version} first`);
}
