/**
 * The socket protocol's wire, shared by both ends: the extension (extension/socket/) and the
 * client in a child process (client/hosts/socket-host.ts). It lives in shared/, bundled into both, so
 * the two never drift.
 * The protocol itself is documented in docs/socket-protocol.md.
 */

/** Where a child process finds the extension's socket (the runtime exports it; children inherit it). */
export const SOCKET_ENV = 'AFTER_RESPONSE_SOCKET';

/** Carries the ticket of the job reserved when `after-response-hold` was spawned. */
export const TICKET_ENV = 'AFTER_RESPONSE_TICKET';

/** Every message carries it as `v`; bump only for incompatible changes. */
export const PROTOCOL_VERSION = 1;

/** The longest line either end accepts, without its newline (64 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;

/** One message as a line, ready to write. */
export function encodeLine(message: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify({ v: PROTOCOL_VERSION, ...message })}\n`;
}

/** Result of feeding one chunk: the complete lines it ended, or an overflow of the bound. */
export type SplitResult = { readonly lines: string[]; readonly overflow: boolean };

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into UTF-8 lines (`\n`, an optional `\r` before it is dropped; empty
 * lines are skipped). Buffers at most `maxBytes` of an unfinished line, so a peer that never
 * sends a newline cannot grow memory without bound. After an overflow the stream is unusable
 * (where the next line starts is unknown): both ends then close the connection.
 */
export class LineSplitter {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number = MAX_LINE_BYTES) {
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

/** A reply of the extension, normalised; one that cannot be read is an error reply. */
export type ServerReply = { readonly ok: boolean; readonly id?: unknown; readonly requestId?: unknown; readonly deadlineMs?: unknown; readonly message?: unknown };
export type ServerEvent = { readonly kind: 'event'; readonly event: string; readonly id: unknown; readonly graceMs: unknown };
export type ServerLine = ServerEvent | { readonly kind: 'reply'; readonly reply: ServerReply };

/**
 * Reads one line the extension sent; never throws. A line with a string `event` is an event;
 * every other line is a reply, even one that cannot be read: replies are matched to requests
 * by their order alone, so dropping one would hand every later reply to the wrong request.
 */
export function readServerLine(line: string): ServerLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // value stays undefined: answered as unreadable below
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return unreadable(`an unreadable reply ${JSON.stringify(line.slice(0, 80))}`);
  const get = (key: string): unknown => (Object.hasOwn(value, key) ? Reflect.get(value, key) : undefined);
  const event = get('event');
  if (typeof event === 'string') return { kind: 'event', event, id: get('id'), graceMs: get('graceMs') };
  if (get('v') !== PROTOCOL_VERSION) return unreadable(`a reply of protocol version ${String(get('v'))}, expected ${PROTOCOL_VERSION}`);
  return { kind: 'reply', reply: { ok: get('ok') === true, id: get('id'), requestId: get('requestId'), deadlineMs: get('deadlineMs'), message: get('message') } };
}

const unreadable = (message: string): ServerLine => ({ kind: 'reply', reply: { ok: false, message } });
