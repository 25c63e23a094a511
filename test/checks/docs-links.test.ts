// README.md and docs/*.md: every relative link points at a file that exists, every `#anchor` at a
// heading (GitHub's slug rules, scripts/github-slug.ts) or an explicit `<a id>` of its page, and
// README stays short enough to read in five minutes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { githubSlug, SlugCounter } from '../../scripts/github-slug.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README_MAX_LINES = 250;
const PAGES = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];

/** The page's lines outside fenced code blocks, inline code removed (links there are examples). */
function proseLines(markdown: string): string[] {
  let inFence = false;
  const lines: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence) lines.push(line.replace(/(`+)[^`]*?\1/g, (code) => (code.includes('](') ? '' : code)));
  }
  return lines;
}

/** Every anchor a page offers: its headings' slugs and its explicit `<a id>` / `<a name>` anchors. */
function anchorsOf(markdown: string): Set<string> {
  const slugs = new SlugCounter();
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) anchors.add(slugs.next(heading[1] ?? ''));
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}

/** The relative link targets of a page (`[text](target)`, `![alt](target)`, `href="target"`), without titles. */
function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|href="([^"]+)"/g)) {
      const target = match[1] ?? match[2] ?? '';
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.push(target);
    }
  }
  return targets;
}

/** What is wrong with one link of `page`, or undefined when it resolves. */
function brokenLink(page: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : join(dirname(page), decodeURIComponent(path));
  if (!existsSync(file)) return `${target}: ${relative(ROOT, file)} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${target}: an anchor into ${relative(ROOT, file)}, which is no Markdown page`;
  const anchors = anchorsOf(readFileSync(file, 'utf8'));
  return anchors.has(decodeURIComponent(anchor)) ? undefined : `${target}: ${relative(ROOT, file)} has no heading or <a id> whose anchor is #${anchor}`;
}

describe('GitHub heading slugs', () => {
  test.each([
    ['Try your own function locally', 'try-your-own-function-locally'],
    ['Next.js `after()`', 'nextjs-after'],
    ['`@vercel/functions`', 'vercelfunctions'],
    ['`lambda-after-response/hono`', 'lambda-after-responsehono'],
    ['1. Build and publish the layer', '1-build-and-publish-the-layer'],
    ['Performance: where the cost goes', 'performance-where-the-cost-goes'],
    ['WAIT\\_UNTIL\\_JOB\\_NAME', 'wait_until_job_name'],
    ['[API](api.md) — *in short*', 'api--in-short'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  test('a repeated heading gets -1, -2 in document order', () => {
    const slugs = new SlugCounter();
    expect(['Returns', 'Returns', 'Example', 'Returns'].map((h) => slugs.next(h))).toEqual(['returns', 'returns-1', 'example', 'returns-2']);
  });
});

describe('the documentation pages', () => {
  test('there are pages to check (README.md and docs/)', () => {
    expect(PAGES.map((p) => relative(ROOT, p))).toEqual(expect.arrayContaining(['README.md', 'docs/getting-started.md', 'docs/api.md']));
  });

  test.each(PAGES.map((p) => [relative(ROOT, p), p]))('every relative link and anchor of %s resolves', (_, page) => {
    const links = relativeLinks(readFileSync(page, 'utf8'));
    expect(links.map((target) => brokenLink(page, target)).filter((problem) => problem !== undefined)).toEqual([]);
  });

  test(`README.md has at most ${README_MAX_LINES} lines (the rest lives in docs/)`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});
