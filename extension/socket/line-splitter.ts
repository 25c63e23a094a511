/** Result of feeding one chunk: the complete lines it ended, or an overflow of the bound. */
export type SplitResult = { readonly lines: string[]; readonly overflow: boolean };

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into UTF-8 lines (`\n`, an optional `\r` before it is dropped; empty
 * lines are skipped). Buffers at most `maxBytes` of an unfinished line, so a peer that never
 * sends a newline cannot grow memory without bound.
 */
export class LineSplitter {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): SplitResult {
    const lines: string[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (this.#size + piece.length > this.#maxBytes) return { lines, overflow: true };
      const bytes = this.#parts.length === 0 ? piece : Buffer.concat([...this.#parts, piece]);
      this.#parts = [];
      this.#size = 0;
      const line = bytes.toString('utf8').replace(/\r$/, '');
      if (line.length > 0) lines.push(line);
    }
    const rest = chunk.subarray(start);
    if (this.#size + rest.length > this.#maxBytes) return { lines, overflow: true };
    if (rest.length > 0) {
      this.#parts.push(rest);
      this.#size += rest.length;
    }
    return { lines, overflow: false };
  }
}
