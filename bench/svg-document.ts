// The frame every bench picture shares: one white page of a fixed width, a style sheet, the
// body, and a caption line at the bottom.

/** Escapes text for SVG content and attributes. */
export const escapeSvg = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface SvgDocument {
  /** Pixels. */
  readonly width: number;
  /** Pixels, the caption included. */
  readonly height: number;
  /** CSS rules for the classes the body uses (`.caption` is added). */
  readonly style: string;
  readonly body: readonly string[];
  /** Plain text, escaped here. */
  readonly caption: string;
  /** Pixels from the bottom to the caption's baseline. */
  readonly captionFromBottom: number;
}

/** The whole SVG file, ending in a newline. */
export function svgDocument(doc: SvgDocument): string {
  const { width, height } = doc;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<style>${doc.style}.caption{font-size:11px;fill:#555}</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...doc.body,
    `<text x="10" y="${height - doc.captionFromBottom}" class="caption">${escapeSvg(doc.caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
