/** `set-version`: the version of the next release, written where it is kept (client/package.json, the docs pages' version lines). */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { required, type CommandContext } from './cli-options.ts';
import { ROOT } from './commands-check.ts';
import { docsVersionOf, GENERATED_PAGES, withDocsVersion } from './docs-version.ts';
import { isSemver } from './version-check.ts';

/**
 * Sets `--version` in client/package.json (its formatting kept) and in the version line of every
 * docs/*.md page that has one; names each page without one. CHANGELOG.md is left to the maintainer.
 * @throws Error when the version is not semver or client/package.json has no `"version"` field
 */
export function setVersionCommand({ values, print }: CommandContext): void {
  const version = required(values, 'version', 'set-version');
  if (!isSemver(version)) throw new Error(`Expected a semver version (e.g. 1.2.3 or 1.2.3-rc.1), got ${JSON.stringify(version)}`);
  const manifest = join(ROOT, 'client', 'package.json');
  const text = readFileSync(manifest, 'utf8');
  if (!/^\s*"version":\s*"[^"]*"/m.test(text)) throw new Error(`${manifest} has no "version" field`);
  writeFileSync(manifest, text.replace(/^(\s*"version":\s*")[^"]*"/m, `$1${version}"`));
  print(`client/package.json: ${version}`);
  const docs = join(ROOT, 'docs');
  for (const page of readdirSync(docs).filter((f) => f.endsWith('.md') && !GENERATED_PAGES.has(f)).sort()) {
    const markdown = readFileSync(join(docs, page), 'utf8');
    if (docsVersionOf(markdown) === undefined) {
      print(`docs/${page}: no "This page describes lambda-after-response X.Y.Z." line in its first lines: add one`);
      continue;
    }
    writeFileSync(join(docs, page), withDocsVersion(markdown, version));
    print(`docs/${page}: ${version}`);
  }
}
