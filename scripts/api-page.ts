// docs/api.md as `npm run docs:api` writes it (scripts/api-docs.ts): the TSDoc of the client
// package's public entry points (client/package.json `exports`), through TypeDoc and
// typedoc-plugin-markdown. TypeDoc
// writes one page per entry point; this joins them into one page, each entry point a section,
// its anchors prefixed so they stay unique. The output has no dates and no source line numbers,
// so it changes only when a doc comment or a public type does; test/checks/api-docs.test.ts
// regenerates it and fails while docs/api.md differs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Application, TSConfigReader } from 'typedoc';
import { docsVersionLine } from '../release/docs-version.ts';
import { githubSlug } from './github-slug.ts';

const ROOT = join(import.meta.dirname, '..');
export const API_PAGE = join(ROOT, 'docs', 'api.md');

/** One entry point: the import path users write, and the page TypeDoc renders it into. */
interface EntryPoint {
  readonly importPath: string;
  /** `index` for the main entry (client/index.ts), else the subpath (`hono`: client/bridges/hono.ts). */
  readonly page: string;
}

/** The package's entry points, from client/package.json's `exports` (`./x` is built from client/bridges/x.ts). */
function entryPoints(): EntryPoint[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'client', 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  return Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? { importPath: manifest.name, page: 'index' } : { importPath: `${manifest.name}/${key.slice(2)}`, page: key.slice(2) }));
}

/** Renders every entry point's page with TypeDoc into `out`. @throws {Error} on any TypeDoc warning or error. */
async function renderPages(entries: readonly EntryPoint[], out: string): Promise<void> {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entries.map((entry) => (entry.page === 'index' ? join(ROOT, 'client', 'index.ts') : join(ROOT, 'client', 'bridges', `${entry.page}.ts`))),
    tsconfig: join(ROOT, 'scripts', 'tsconfig.api-docs.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    router: 'module',
    readme: 'none',
    disableSources: true, // no "Defined in: index.ts:25": the page changes only with the docs
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useHTMLAnchors: true, // explicit ids, which joinPages prefixes per entry point
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    // What a function author calls first; the exports for tests last.
    groupOrder: ['Functions', 'Variables', 'Type Aliases', 'Interfaces', 'Testing', '*'],
    sort: ['source-order'],
    excludePrivate: true,
    excludeInternal: true,
    // The logger option is for tests that capture the client's log lines; its type stays internal.
    intentionallyNotExported: ['Logger'],
    skipErrorChecking: true, // tsc checks the code (npm run typecheck); this reads the comments
    treatWarningsAsErrors: true,
    logLevel: 'Warn',
  } as Record<string, unknown>, [new TSConfigReader()]);
  const project = await app.convert();
  if (project === undefined || app.logger.hasErrors()) throw new Error('TypeDoc could not convert the client entry points (see the messages above)');
  await app.generateOutputs(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) throw new Error('TypeDoc reported problems in the doc comments (see the messages above)');
}

/** How one entry point's page links into the joined page. */
interface Anchors {
  /** The prefix of a page's anchors (`hono-`), undefined for a page that is no entry point. */
  prefixOf(page: string): string | undefined;
  /** The heading anchor of a page's section. */
  sectionOf(page: string): string;
}

/** A heading one level down; below level 6 (Markdown's last) a bold line instead. */
function demote(line: string): string {
  const match = /^(#+) (.*)$/.exec(line);
  if (!match) return line;
  const level = (match[1] ?? '').length + 1;
  return level <= 6 ? `${'#'.repeat(level)} ${match[2] ?? ''}` : `**${match[2] ?? ''}**`;
}

/** Links to pages of this run become in-page anchors; other links (docs pages) stay. */
function relink(line: string, prefix: string, anchors: Anchors): string {
  return line
    .replace(/ id="([^"]+)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/\]\(#([^)]+)\)/g, (_, id: string) => `](#${prefix}${id})`)
    // A page's folder (`../index.md` from bridges/hono.md) does not matter: page names are unique.
    .replace(/\]\((?:\.\.\/|[\w-]+\/)*([\w-]+)\.md(?:#([^)]+))?\)/g, (link: string, page: string, id: string | undefined) => {
      const pagePrefix = anchors.prefixOf(page);
      if (pagePrefix === undefined) return link;
      return id === undefined ? `](#${anchors.sectionOf(page)})` : `](#${pagePrefix}${id})`;
    });
}

/** One TypeDoc page as a section of the joined page: title replaced, headings one level down, anchors prefixed. */
function section(entry: EntryPoint, markdown: string, anchors: Anchors): string {
  const prefix = anchors.prefixOf(entry.page) ?? '';
  let inFence = false;
  const lines = markdown.split('\n').filter((line, i) => !(i === 0 && line.startsWith('# ')));
  const body = lines.map((line) => {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    return inFence || line.startsWith('```') ? line : relink(demote(line), prefix, anchors);
  });
  return [`## \`${entry.importPath}\``, ...body].join('\n').trim();
}

/** Where TypeDoc wrote a page: `<page>.md`, under the entry's folder when entries sit in several (bridges/). */
function pageFile(out: string, page: string): string {
  const found = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((file) => basename(file) === `${page}.md`);
  if (found.length !== 1) throw new Error(`TypeDoc wrote ${found.length} pages named ${page}.md in ${out}`);
  return join(out, found[0] ?? '');
}

/** The whole docs/api.md text, rendered afresh (in a temporary directory, removed afterwards). */
/** The client package's version, which the page describes. */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'client', 'package.json'), 'utf8'));
  const version: unknown = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  if (typeof version !== 'string') throw new Error('client/package.json has no version');
  return version;
}

export async function renderApiPage(): Promise<string> {
  const entries = entryPoints();
  const out = mkdtempSync(join(tmpdir(), 'lar-api-docs-'));
  try {
    await renderPages(entries, out);
    const importPathOf = (page: string): string | undefined => entries.find((entry) => entry.page === page)?.importPath;
    const anchors: Anchors = {
      prefixOf: (page) => (importPathOf(page) === undefined ? undefined : page === 'index' ? '' : `${page}-`),
      sectionOf: (page) => githubSlug(`\`${importPathOf(page) ?? page}\``),
    };
    const sections = entries.map((entry) => section(entry, readFileSync(pageFile(out, entry.page), 'utf8'), anchors));
    return [
      '# API reference',
      '',
      '<!-- Generated by `npm run docs:api` (scripts/api-docs.ts) from the doc comments of the package\'s entry points: edit those, not this page. -->',
      '',
      docsVersionLine(packageVersion()),
      '',
      'Every export of the `lambda-after-response` package, one section per entry point:',
      '',
      ...entries.map((entry) => `- [\`${entry.importPath}\`](#${anchors.sectionOf(entry.page)})`),
      '',
      'How jobs and flushers behave around the response, the deadline and the freeze: [How it works](how-it-works.md).',
      '',
      ...sections.flatMap((text) => [text, '']),
    ].join('\n');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
