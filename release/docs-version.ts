/**
 * Each page in docs/ names the version it describes in a line near its top,
 * `This page describes lambda-after-response X.Y.Z.`, kept equal to client/package.json's version
 * (test/checks/docs-version.test.ts) and rewritten by `release/cli.ts set-version`.
 * docs/layer-arns.md is the exception: generated, it names the version of every ARN it lists.
 */

/** Pages exempt from the line, by file name. */
export const GENERATED_PAGES = new Set(['layer-arns.md']);
/** How many lines from the top the version line may be. */
export const VERSION_LINE_WITHIN = 5;

export const docsVersionLine = (version: string): string => `This page describes lambda-after-response ${version}.`;

const LINE = /^This page describes lambda-after-response (\S+)\.$/;

/** The version a page's version line names, or undefined when its first lines have none. */
export function docsVersionOf(markdown: string): string | undefined {
  for (const line of markdown.split('\n').slice(0, VERSION_LINE_WITHIN)) {
    const match = LINE.exec(line.trim());
    if (match) return match[1];
  }
  return undefined;
}

/** The page with its version line naming `version`; unchanged when it has no such line. */
export function withDocsVersion(markdown: string, version: string): string {
  const lines = markdown.split('\n');
  const at = lines.slice(0, VERSION_LINE_WITHIN).findIndex((l) => LINE.test(l.trim()));
  if (at === -1) return markdown;
  lines[at] = docsVersionLine(version);
  return lines.join('\n');
}
