// Parses the Runtime API's HTTP/1.1 answers from bytes, for raw-http.ts.
import type { HttpResponse } from './http-transport.ts';

/** The headers this client reads (framing, and the identifier `register` answers with), by lower-case name. */
export const READ_HEADERS = ['content-length', 'transfer-encoding', 'connection', 'lambda-extension-identifier'] as const;

/**
 * Parses one complete response at the start of `data`, or returns undefined if more is needed.
 * Read from the bytes, not from the header block as a string, and only {@link READ_HEADERS} kept:
 * this runs per invoke (the `next` answer), and a string per header name, value and lower-cased
 * name was 0.85 KB of allocation per invoke on nodejs22.x (bench/alloc-sampling.ts, 2,000 invokes).
 */
export function parseResponse(data: Buffer): { response: HttpResponse; consumed: number; close: boolean } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const status = statusOf(data);
  if (status === undefined) {
    const first = data.toString('latin1', 0, Math.min(end, 80));
    const cut = first.indexOf('\r\n');
    throw new Error(`raw-http: bad status line ${JSON.stringify(cut === -1 ? first : first.slice(0, cut))}`);
  }
  const headers = headersOf(data, end);
  const body = readBody(data, end + 4, headers);
  if (!body) return undefined;
  const close = headers.connection?.toLowerCase() === 'close';
  return { response: { status, headers, body: body.text }, consumed: body.end, close };
}

const STATUS_PREFIX = 'HTTP/1.';

/** `HTTP/1.x NNN …` → NNN, read from the bytes (by index: `Buffer#compare` with ranges allocated per call). */
function statusOf(data: Buffer): number | undefined {
  if (data.length < 12) return undefined;
  for (let i = 0; i < STATUS_PREFIX.length; i++) if (data[i] !== STATUS_PREFIX.charCodeAt(i)) return undefined;
  if ((data[7] !== 0x30 && data[7] !== 0x31) || data[8] !== 0x20) return undefined;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const digit = (data[i] ?? 0) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return undefined;
    status = status * 10 + digit;
  }
  return status;
}

/** The {@link READ_HEADERS} among the header lines before `end`, values trimmed; names compared by their bytes, case-insensitively. */
function headersOf(data: Buffer, end: number): Record<string, string> {
  const headers: Record<string, string> = {};
  // Every line ends in a CRLF at or before `end` (where the block's blank line starts).
  for (let at = data.indexOf('\r\n') + 2; at < end; ) {
    const lineEnd = data.indexOf('\r\n', at);
    const colon = data.indexOf(0x3a, at);
    const name = colon > at && colon < lineEnd ? readHeaderName(data, at, colon) : undefined;
    if (name !== undefined) headers[name] = data.toString('latin1', colon + 1, lineEnd).trim();
    at = lineEnd + 2;
  }
  return headers;
}

/** The one of {@link READ_HEADERS} that `data[from, to)` names (spaces around it ignored, any case), if any. */
function readHeaderName(data: Buffer, from: number, to: number): (typeof READ_HEADERS)[number] | undefined {
  while (from < to && isSpace(data[from])) from++;
  while (to > from && isSpace(data[to - 1])) to--;
  for (const name of READ_HEADERS) if (name.length === to - from && sameLowerCase(data, from, name)) return name;
  return undefined;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

/** `data` from `from` spells `name` (lower case), ASCII letters in any case. */
function sameLowerCase(data: Buffer, from: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const byte = data[from + i] ?? 0;
    if ((byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte) !== name.charCodeAt(i)) return false;
  }
  return true;
}

function readBody(data: Buffer, start: number, headers: Record<string, string>): { text: string; end: number } | undefined {
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) return readChunked(data, start);
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < start + length) return undefined;
  return { text: data.toString('utf8', start, start + length), end: start + length };
}

function readChunked(data: Buffer, start: number): { text: string; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error('raw-http: bad chunk size');
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd === -1 ? undefined : { text: Buffer.concat(parts).toString('utf8'), end: trailerEnd + 4 };
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
