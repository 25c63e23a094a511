// GitHub's heading anchors, as its Markdown renderer makes them: the heading's text, lower-cased,
// with everything but letters, digits, spaces, `-` and `_` dropped and spaces turned into `-`;
// a repeated slug gets `-1`, `-2`, … in document order. Used by the API page's generator and
// the docs link check, so both agree with what github.com resolves.

/** The text a heading shows: inline code, emphasis and links reduced to their text. */
function headingText(markdown: string): string {
  return markdown
    .replace(/<[^>]+>/g, '') // inline HTML (anchors) contributes no text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) → text
    .replace(/[`*]/g, '') // code and emphasis markers
    .replace(/(^|\s)_+|_+(\s|$)/g, '$1$2') // _emphasis_ markers, not snake_case underscores
    .trim();
}

/** The slug of one heading's Markdown text (before de-duplication). */
export function githubSlug(heading: string): string {
  return headingText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Gives each slug its GitHub suffix: the second `a` is `a-1`, the third `a-2`. */
export class SlugCounter {
  readonly #seen = new Map<string, number>();

  next(heading: string): string {
    const base = githubSlug(heading);
    const count = this.#seen.get(base) ?? 0;
    this.#seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  }
}
