/**
 * The CHANGELOG.md section of one version (Keep a Changelog: `## [1.2.3] - 2027-01-15`), for the
 * GitHub release's notes, and the rule that a released version's section carries its date.
 */

export interface ChangelogSection {
  readonly version: string;
  /** `YYYY-MM-DD` from the heading; undefined while the heading says `Unreleased`. */
  readonly date: string | undefined;
  /** The section's text below its heading, trimmed (the `### Added` … lists). */
  readonly body: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The section of `version` in a changelog.
 * @throws Error naming the version and the versions the changelog has when there is no such
 *   section, when its heading has neither a date nor `Unreleased`, or when it is empty
 */
export function changelogSection(markdown: string, version: string): ChangelogSection {
  const lines = markdown.split('\n');
  const heading = new RegExp(`^## \\[${escape(version)}\\](?: - (.*))?$`);
  const start = lines.findIndex((l) => heading.test(l.trimEnd()));
  if (start === -1) {
    const known = lines.map((l) => /^## \[([^\]]+)\]/.exec(l)?.[1]).filter((v) => v !== undefined);
    throw new Error(`CHANGELOG.md has no section \`## [${version}]\` (its sections: ${known.join(', ') || 'none'})`);
  }
  const suffix = (heading.exec(lines[start]?.trimEnd() ?? '')?.[1] ?? '').trim();
  if (suffix !== 'Unreleased' && !/^\d{4}-\d{2}-\d{2}$/.test(suffix)) {
    throw new Error(`CHANGELOG.md's heading for ${version} should end in \` - YYYY-MM-DD\` or \` - Unreleased\`, got ${JSON.stringify(lines[start])}`);
  }
  const rest = lines.slice(start + 1);
  const stop = rest.findIndex((l) => /^## /.test(l) || /^\[[^\]]+\]: /.test(l));
  const body = (stop === -1 ? rest : rest.slice(0, stop)).join('\n').trim();
  if (body === '') throw new Error(`CHANGELOG.md's section for ${version} is empty`);
  return { version, date: suffix === 'Unreleased' ? undefined : suffix, body };
}

/** Why a section cannot be released as it is (no date yet); empty when it can. */
export function releaseDateProblems(section: ChangelogSection): string[] {
  if (section.date !== undefined) return [];
  return [`CHANGELOG.md's section for ${section.version} is marked Unreleased: give it the release date (\`## [${section.version}] - YYYY-MM-DD\`) before tagging`];
}
