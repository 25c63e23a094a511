/** `check` (the release's consistency check, run before anything is published) and `changelog`. */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changelogSection, releaseDateProblems } from './changelog.ts';
import { required, type CommandContext } from './cli-options.ts';
import { field } from './json-field.ts';
import { layerClientVersion, layerVersionOf, layerZipProblems } from './layer-zip.ts';
import { isPrerelease, versionOfTag, versionProblems } from './version-check.ts';
import { readZip } from './zip-reader.ts';

/** The repository root (this file is release/commands-check.ts). */
export const ROOT = join(import.meta.dirname, '..');
export const LAYER_ZIP = join(ROOT, 'dist', 'after-response-layer.zip');

/**
 * Checks that the tag, client/package.json, the built layer (dist/after-response-layer.zip: its
 * extension's layerVersion, its copy of the client) name one version; that the zip is fit to
 * publish; and that CHANGELOG.md has the version's section, dated unless `--dry-run`.
 * `--github-output FILE` appends `version=` and `prerelease=` for later jobs.
 * @throws Error listing every problem found
 */
export function checkCommand({ values, print }: CommandContext): void {
  const tag = required(values, 'tag', 'check');
  const clientPackage = field(JSON.parse(readFileSync(join(ROOT, 'client', 'package.json'), 'utf8')), 'version');
  const entries = readZip(readFileSync(LAYER_ZIP));
  const problems = [
    ...versionProblems({ tag, clientPackage: String(clientPackage), layerVersion: layerVersionOf(entries), layerClientPackage: layerClientVersion(entries) }),
    ...layerZipProblems(entries),
  ];
  if (problems.length === 0) {
    const section = changelogSection(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), versionOfTag(tag));
    if (values['dry-run'] !== true) problems.push(...releaseDateProblems(section));
  }
  if (problems.length > 0) throw new Error(`${tag} cannot be released:\n- ${problems.join('\n- ')}`);
  const version = versionOfTag(tag);
  const github = values['github-output'];
  if (github !== undefined) appendFileSync(github, `version=${version}\nprerelease=${String(isPrerelease(version))}\n`);
  print(`${tag}: client/package.json, the layer's layerVersion and its client copy are ${version}; the zip (${entries.length} entries) is fit to publish; CHANGELOG.md has the section`);
}

/** Prints the CHANGELOG.md section's body for `--version`. */
export function changelogCommand({ values, print }: CommandContext): void {
  const version = required(values, 'version', 'changelog');
  print(changelogSection(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), version).body);
}
