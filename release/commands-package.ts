/** `sha256`, `stamp-repository` and `notes`: the files of the release, and what the GitHub release says. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { required, type CommandContext } from './cli-options.ts';
import { parseJson } from './json-field.ts';
import { parseRelease } from './layer-arns.ts';
import { releaseNotes } from './release-notes.ts';
import { stampRepository } from './repository-stamp.ts';
import { sha256sumLine } from './sha256.ts';

/** Prints a SHA256SUMS line for each file named. */
export function sha256Command({ positionals, print }: CommandContext): void {
  if (positionals.length === 0) throw new Error('sha256 needs at least one file');
  for (const file of positionals) print(sha256sumLine(readFileSync(file), file));
}

/** Sets `repository` in `--package`/package.json to `--repository` (owner/name) on GitHub. */
export function stampRepositoryCommand({ values, print }: CommandContext): void {
  const file = join(required(values, 'package', 'stamp-repository'), 'package.json');
  const stamped = stampRepository(parseJson(readFileSync(file, 'utf8'), file), required(values, 'repository', 'stamp-repository'));
  writeFileSync(file, `${JSON.stringify(stamped, null, 2)}\n`);
  print(`${file}: repository ${JSON.stringify(stamped.repository)}`);
}

/** Prints the release notes from the changelog section, the SHA256SUMS file and the release's ARNs (layer-release's output). */
export function notesCommand({ values, print }: CommandContext): void {
  const releaseFile = required(values, 'release', 'notes');
  const layer = parseRelease(parseJson(readFileSync(releaseFile, 'utf8'), releaseFile), releaseFile);
  print(releaseNotes({
    version: layer.version, layer,
    changelog: readFileSync(required(values, 'changelog', 'notes'), 'utf8'),
    sums: readFileSync(required(values, 'sums', 'notes'), 'utf8'),
  }));
}
