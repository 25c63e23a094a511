/**
 * npm provenance is accepted only when the package's `repository.url` names the GitHub repository
 * the workflow ran in. The release stamps it into the built package from GITHUB_REPOSITORY, so a
 * fork or a renamed repository releases without editing client/package.json; a `repository` already
 * there must agree.
 */
import { field, show } from './json-field.ts';

/**
 * The manifest with `repository` set to `owner/name` on GitHub (directory `client`).
 * @throws Error when `repository` is not `owner/name`, or the manifest already names another repository
 */
export function stampRepository(manifest: unknown, repository: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new Error(`Expected the repository as owner/name (GITHUB_REPOSITORY), got ${show(repository)}`);
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new Error(`Expected package.json to hold an object, got ${show(manifest)}`);
  const url = `git+https://github.com/${repository}.git`;
  const existing = field(field(manifest, 'repository'), 'url') ?? field(manifest, 'repository');
  const same = (u: unknown): boolean => typeof u === 'string' && u.replace(/^git\+/, '').replace(/\.git$/, '').toLowerCase() === `https://github.com/${repository}`.toLowerCase();
  if (existing !== undefined && !same(existing)) throw new Error(`package.json's repository is ${show(existing)}, but this release runs in ${repository}: npm would refuse the provenance`);
  return { ...manifest, repository: { type: 'git', url, directory: 'client' } };
}
