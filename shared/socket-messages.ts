/**
 * The socket protocol, version 1: newline-delimited JSON, one request per line, answered in
 * order. Documented in docs/socket-protocol.md; keep the two in step. What both ends
 * share (version, framing, bounds on lines) is in shared/socket-wire.ts.
 */
import type { ErrorDescription } from './describe-error.ts';
import { boundDescription } from './socket-finish.ts';
import { encodeLine, MAX_LINE_BYTES, PROTOCOL_VERSION } from './socket-wire.ts';
import { describeValue } from './validate.ts';

/** Bounds against hostile or broken peers (stated in docs/socket-protocol.md, "Bounds"). */
export const LIMITS = {
  /** A longer line is answered with `line-too-long` and the connection is closed. */
  maxLineBytes: MAX_LINE_BYTES,
  maxJobsPerConnection: 1024,
  maxConnections: 128,
  /** Longer names and failure messages are truncated, not refused: a finish must never be lost. */
  maxNameLength: 256,
  maxMessageLength: 4096,
  /** Replies a peer does not read; past this the connection is closed. */
  maxPendingReplyBytes: 1024 * 1024,
  /** A new connection holds the invoke until its first line, at most this long. */
  firstLineTimeoutMs: 1000,
} as const;

/** The bounds' shape, for tests that tighten them. */
export type Limits = { readonly [K in keyof typeof LIMITS]: number };

export type ErrorType =
  | 'line-too-long' | 'bad-json' | 'bad-request' | 'bad-version' | 'unknown-op'
  | 'unknown-job' | 'too-many-jobs' | 'too-many-connections';

/** `error`, when the peer described its failure (optional in version 1), is logged in place of `message`. */
export type Outcome = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly error?: ErrorDescription };

export type Request =
  | { readonly op: 'open'; readonly name: string; readonly ticket?: string }
  | { readonly op: 'finish'; readonly id: string; readonly outcome: Outcome };

export type Parsed = { readonly request: Request } | { readonly error: ErrorType; readonly message: string };

const bad = (error: ErrorType, message: string): Parsed => ({ error, message });
const expected = (field: string, what: string, value: unknown): Parsed =>
  bad('bad-request', `Expected \`${field}\` to be ${what}, got ${value === undefined ? 'nothing' : describeValue(value)}`);

/** Parses one line (without its newline) into a request or a precise error. Never throws. */
export function parseRequest(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return bad('bad-json', `Expected one JSON object per line: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return expected('request', 'a JSON object', value);
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? Reflect.get(value, name) : undefined);
  const version = field('v');
  if (version !== PROTOCOL_VERSION) {
    return bad('bad-version', `Expected \`v\` to be ${PROTOCOL_VERSION}, got ${version === undefined ? 'nothing' : describeValue(version)}`);
  }
  const op = field('op');
  if (op === 'open') return parseOpen(field);
  if (op === 'finish') return parseFinish(field);
  return bad('unknown-op', `Expected \`op\` to be "open" or "finish", got ${op === undefined ? 'nothing' : describeValue(op)}`);
}

function parseOpen(field: (name: string) => unknown): Parsed {
  const name = field('name');
  if (typeof name !== 'string' || name.length === 0) return expected('name', 'a non-empty string', name);
  const ticket = field('ticket');
  if (ticket !== undefined && typeof ticket !== 'string') return expected('ticket', 'a string', ticket);
  const request = { op: 'open', name: name.slice(0, LIMITS.maxNameLength) } as const;
  return { request: ticket === undefined ? request : { ...request, ticket } };
}

function parseFinish(field: (name: string) => unknown): Parsed {
  const id = field('id');
  if (typeof id !== 'string' || id.length === 0) return expected('id', 'a job id from `open`', id);
  const ok = field('ok');
  if (ok === true) return { request: { op: 'finish', id, outcome: { ok: true } } };
  if (ok !== false) return expected('ok', '`true` or `false`', ok);
  const message = field('message');
  if (typeof message !== 'string') return expected('message', 'a string when `ok` is false', message);
  const outcome = { ok: false, message: message.slice(0, LIMITS.maxMessageLength) } as const;
  const error = readDescription(field('error'));
  return { request: { op: 'finish', id, outcome: error ? { ...outcome, error } : outcome } };
}

/**
 * The optional `error` of a failed finish: `{ errorType, errorMessage, stackTrace }`, cut to
 * the bounds of shared/socket-finish.ts. One of another shape is ignored, not refused (the
 * plain `message` still reports the failure: a finish must never be lost).
 */
function readDescription(value: unknown): ErrorDescription | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const get = (key: string): unknown => (Object.hasOwn(value, key) ? Reflect.get(value, key) : undefined);
  const [errorType, errorMessage, stackTrace] = [get('errorType'), get('errorMessage'), get('stackTrace')];
  if (typeof errorType !== 'string' || errorType.length === 0 || typeof errorMessage !== 'string') return undefined;
  if (!Array.isArray(stackTrace) || !stackTrace.every((frame) => typeof frame === 'string')) return undefined;
  return boundDescription({ errorType, errorMessage, stackTrace });
}

export const replies = {
  opened: (id: string, requestId: string | undefined, deadlineMs: number | undefined) =>
    encodeLine({ ok: true, id, ...(requestId === undefined ? {} : { requestId }), ...(deadlineMs === undefined ? {} : { deadlineMs }) }),
  finished: () => encodeLine({ ok: true }),
  error: (error: ErrorType, message: string) => encodeLine({ ok: false, error, message }),
  abort: (id: string, graceMs: number) => encodeLine({ event: 'abort', id, reason: 'deadline', graceMs }),
};
