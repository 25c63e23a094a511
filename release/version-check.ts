/**
 * The release's version rule: the tag (`v` + semver), the client package's `version` and the
 * layer's `layerVersion` (and the client copy inside the layer) are one and the same version.
 */

/** Semantic Versioning 2.0.0's own pattern (semver.org), anchored: `1.2.3`, `1.2.3-rc.1`, `1.2.3+build.5`. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export interface ReleaseVersions {
  /** The git tag being released, e.g. `v1.2.3` (GITHUB_REF_NAME). */
  readonly tag: string;
  /** `version` in client/package.json (what npm publishes). */
  readonly clientPackage: string;
  /** The `layerVersion` the built layer's extension publishes in its host registry. */
  readonly layerVersion: string;
  /** `version` of the client package copied into the layer (`/opt/nodejs/node_modules`). */
  readonly layerClientPackage: string;
}

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** True for a pre-release (`1.2.3-rc.1`): npm dist-tag `next`, a GitHub pre-release. */
export function isPrerelease(version: string): boolean {
  return SEMVER.exec(version)?.[4] !== undefined;
}

/**
 * The version a release tag names.
 * @throws Error naming the tag when it is not `v` followed by a semver version
 */
export function versionOfTag(tag: string): string {
  const version = tag.startsWith('v') ? tag.slice(1) : '';
  if (!isSemver(version)) throw new Error(`Expected the tag to be \`v\` and a semver version (e.g. v1.2.3 or v1.2.3-rc.1), got ${JSON.stringify(tag)}`);
  return version;
}

/** Every disagreement between the tag and the versions the release would publish; empty when they agree. */
export function versionProblems(v: ReleaseVersions): string[] {
  let version: string;
  try {
    version = versionOfTag(v.tag);
  } catch (error) {
    return [(error as Error).message];
  }
  const sources: [string, string][] = [
    ['client/package.json `version`', v.clientPackage],
    ["the layer extension's `layerVersion`", v.layerVersion],
    ["the layer's copy of the client (nodejs/node_modules/lambda-after-response/package.json)", v.layerClientPackage],
  ];
  return sources.filter(([, found]) => found !== version).map(([what, found]) => `${what} is ${JSON.stringify(found)}, the tag ${v.tag} says ${version}`);
}
