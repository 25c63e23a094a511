// The release's version rule (release/version-check.ts) and the changelog section it publishes
// (release/changelog.ts).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { changelogSection, releaseDateProblems } from '../../release/changelog.ts';
import { isPrerelease, isSemver, versionOfTag, versionProblems } from '../../release/version-check.ts';

const agreeing = (version: string): Parameters<typeof versionProblems>[0] => ({ tag: `v${version}`, clientPackage: version, layerVersion: version, layerClientPackage: version });

describe('version consistency: tag, client/package.json, layerVersion, the layer\'s client copy', () => {
  test('all four agreeing: no problem; a pre-release is told apart', () => {
    expect(versionProblems(agreeing('1.2.3'))).toEqual([]);
    expect(versionProblems(agreeing('1.2.3-rc.1'))).toEqual([]);
    expect(isPrerelease('1.2.3-rc.1')).toBe(true);
    expect(isPrerelease('1.2.3')).toBe(false);
    expect(isPrerelease('1.2.3+build.7')).toBe(false);
  });

  test('each source that disagrees with the tag is named with both versions', () => {
    expect(versionProblems({ ...agreeing('1.2.3'), clientPackage: '1.2.2' })).toEqual(['client/package.json `version` is "1.2.2", the tag v1.2.3 says 1.2.3']);
    expect(versionProblems({ ...agreeing('1.2.3'), layerVersion: '1.2.2' })).toEqual(["the layer extension's `layerVersion` is \"1.2.2\", the tag v1.2.3 says 1.2.3"]);
    expect(versionProblems({ ...agreeing('1.2.3'), layerClientPackage: '1.3.0' })).toHaveLength(1);
    expect(versionProblems({ ...agreeing('1.2.3'), tag: 'v1.2.4' })).toHaveLength(3);
  });

  test('a tag that is not `v` + semver is refused by name', () => {
    for (const tag of ['1.2.3', 'v1.2', 'v01.2.3', 'release-1.2.3', 'v1.2.3 ', 'V1.2.3', '']) {
      expect(versionProblems({ ...agreeing('1.2.3'), tag })).toEqual([`Expected the tag to be \`v\` and a semver version (e.g. v1.2.3 or v1.2.3-rc.1), got ${JSON.stringify(tag)}`]);
    }
  });

  test('any string as a tag: a version back for `v` + semver, else an Error naming it (never another throw)', () => {
    fc.assert(fc.property(fc.string(), (tag) => {
      try {
        const version = versionOfTag(tag);
        expect(isSemver(version) && tag === `v${version}`).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toContain(JSON.stringify(tag));
      }
    }));
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.nat(), (a, b, c) => versionProblems(agreeing(`${a}.${b}.${c}`)).length === 0));
  });
});

const CHANGELOG = `# Changelog

## [1.3.0-rc.1] - Unreleased

### Added

- something new

## [1.2.3] - 2027-01-15

### Fixed

- a fix

## [1.2.2] - 2026-12-01

- older

[1.2.3]: https://example.invalid/compare/v1.2.2...v1.2.3
`;

describe('the CHANGELOG section of a version', () => {
  test('the body between its heading and the next, with its date', () => {
    expect(changelogSection(CHANGELOG, '1.2.3')).toEqual({ version: '1.2.3', date: '2027-01-15', body: '### Fixed\n\n- a fix' });
    expect(changelogSection(CHANGELOG, '1.2.2')).toEqual({ version: '1.2.2', date: '2026-12-01', body: '- older' }); // stops at the link references
  });

  test('Unreleased: extracted, but refused for a release until it is dated', () => {
    const section = changelogSection(CHANGELOG, '1.3.0-rc.1');
    expect(section).toMatchObject({ date: undefined, body: '### Added\n\n- something new' });
    expect(releaseDateProblems(section)).toEqual(["CHANGELOG.md's section for 1.3.0-rc.1 is marked Unreleased: give it the release date (`## [1.3.0-rc.1] - YYYY-MM-DD`) before tagging"]);
    expect(releaseDateProblems(changelogSection(CHANGELOG, '1.2.3'))).toEqual([]);
  });

  test('a version without a section is named with the sections there are; a version is matched literally', () => {
    expect(() => changelogSection(CHANGELOG, '2.0.0')).toThrow('CHANGELOG.md has no section `## [2.0.0]` (its sections: 1.3.0-rc.1, 1.2.3, 1.2.2)');
    expect(() => changelogSection(CHANGELOG, '1.2.')).toThrow('no section');
    expect(() => changelogSection(CHANGELOG.replace('1.2.3', '1x2y3'), '1.2.3')).toThrow('no section');
  });

  test('a heading with neither a date nor Unreleased, and an empty section, are refused', () => {
    expect(() => changelogSection('## [1.0.0] - soon\n\n- x\n', '1.0.0')).toThrow("CHANGELOG.md's heading for 1.0.0 should end in ` - YYYY-MM-DD` or ` - Unreleased`, got \"## [1.0.0] - soon\"");
    expect(() => changelogSection('## [1.0.0] - 2027-01-01\n\n## [0.9.0] - 2026-01-01\n\n- y\n', '1.0.0')).toThrow("CHANGELOG.md's section for 1.0.0 is empty");
  });

  test("the repository's CHANGELOG.md has a section for client/package.json's version", () => {
    const root = join(import.meta.dirname, '..', '..');
    const { version } = JSON.parse(readFileSync(join(root, 'client', 'package.json'), 'utf8')) as { version: string };
    expect(changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version).body).toContain('### ');
  });
});
