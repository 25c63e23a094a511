/**
 * The socket protocol's `finish` line for a failed job, shared by both ends: the client sends
 * the failure described (`error`: type, message, stack lines, as shared/describe-error.ts
 * gives them) besides the plain `message` every version-1 extension reads, so the extension
 * logs ONE line with the invoke's request id, the job id and the user's own error. The field is
 * optional: an older extension ignores it, an older client's plain message still works.
 * Documented in docs/socket-protocol.md ("finish").
 */
import type { ErrorDescription } from './describe-error.ts';
import { encodeLine, MAX_LINE_BYTES } from './socket-wire.ts';

/** Bounds the extension applies to a described failure (it cuts, never refuses, a finish). */
export const FINISH_ERROR_LIMITS = {
  maxTypeLength: 256,
  maxMessageLength: 4096,
  maxFrames: 50,
  maxFrameLength: 500,
} as const;

/** A failure as the `finish` line carries it. */
export type FinishOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly error?: ErrorDescription };

/** Cuts a description to the bounds above; the result always fits one line with room to spare. */
export function boundDescription(description: ErrorDescription): ErrorDescription {
  const { maxTypeLength, maxMessageLength, maxFrames, maxFrameLength } = FINISH_ERROR_LIMITS;
  return {
    errorType: description.errorType.slice(0, maxTypeLength),
    errorMessage: description.errorMessage.slice(0, maxMessageLength),
    stackTrace: description.stackTrace.slice(0, maxFrames).map((frame) => frame.slice(0, maxFrameLength)),
  };
}

/** The plain one-line message of protocol version 1 (`RangeError: bad frame`). */
export function plainMessage({ errorType, errorMessage }: ErrorDescription): string {
  return (errorMessage ? `${errorType}: ${errorMessage}` : errorType).slice(0, FINISH_ERROR_LIMITS.maxMessageLength);
}

/**
 * The `finish` line for job `id`. A failure that would not fit {@link MAX_LINE_BYTES} (a message
 * of control characters escapes to 6 bytes each) loses its stack first, then its `error` field:
 * the finish itself must never be refused as `line-too-long`, which would close the connection.
 */
export function encodeFinish(id: string, outcome: FinishOutcome): string {
  if (outcome.ok) return encodeLine({ op: 'finish', id, ok: true });
  const plain = { op: 'finish', id, ok: false, message: outcome.message.slice(0, FINISH_ERROR_LIMITS.maxMessageLength) };
  if (outcome.error === undefined) return encodeLine(plain);
  const error = boundDescription(outcome.error);
  for (const candidate of [{ ...plain, error }, { ...plain, error: { ...error, stackTrace: [] } }]) {
    const line = encodeLine(candidate);
    if (Buffer.byteLength(line) - 1 <= MAX_LINE_BYTES) return line; // without its newline
  }
  return encodeLine(plain);
}
