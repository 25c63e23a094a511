// One invoke of `npm run invoke` as text, and whether it failed (init error, function error, no
// response posted), with the runtime's error type and message when it gave them.
import type { InvokeResult } from '../rig/sandbox.ts';

const BODY_LIMIT = 500; // characters of the response body shown
// RIC's error log line, e.g. `…\tERROR\tUncaught Exception \t{"errorType":"Runtime.HandlerNotFound",…}`.
const ERROR_TYPE = /"errorType":"([^"]+)","errorMessage":"((?:[^"\\]|\\.)*)"/;

/** A JSON string's content unescaped; as it is when it is not valid JSON (a log line can hold anything). */
function unescape(content: string): string {
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return content;
  }
}

/** `Type: message` from the error response body, else from the runtime's error log line. */
function runtimeError(result: InvokeResult, logLines: readonly string[]): string | undefined {
  for (const text of [result.body, ...logLines]) {
    const match = ERROR_TYPE.exec(text);
    if (match) return `${match[1] ?? ''}: ${unescape(match[2] ?? '').slice(0, 300)}`;
  }
  return undefined;
}

/** Why the invoke failed, or undefined when its response was posted. */
export function invokeFailure(result: InvokeResult, logLines: readonly string[]): string | undefined {
  const error = runtimeError(result, logLines);
  const detail = error === undefined ? '' : ` (${error})`;
  if (result.calls.some((call) => call.kind === 'runtime-init-error')) return `init error${detail}`;
  if (result.errorPostedAt !== undefined) return `function error${detail}`;
  if (result.responsePostedAt === undefined) return `no response posted (status ${result.status})${detail}`;
  return undefined;
}

const ms = (from: number, to: number | undefined): string => (to === undefined ? 'never' : `${(to - from).toFixed(1)} ms`);

export function describeInvoke(result: InvokeResult, at: { index: number; of: number; layer: boolean; failure: string | undefined }): string[] {
  const start = result.startedAt;
  const body = result.body.length > BODY_LIMIT ? `${result.body.slice(0, BODY_LIMIT)}… (${result.body.length} characters)` : result.body;
  const id = result.requestId ?? 'none (the runtime did not fetch the invoke)';
  const lines = [`invoke ${at.index} of ${at.of} (${at.index === 1 ? 'cold' : 'warm'}), request id ${id}; times from the start of the invoke`];
  if (at.failure !== undefined) lines.push(`  FAILED:          ${at.failure}`);
  if (result.errorPostedAt !== undefined) lines.push(`  error posted:    ${ms(start, result.errorPostedAt)} (the handler failed)`);
  else if (result.responsePostedAt !== undefined) lines.push(`  response posted: ${ms(start, result.responsePostedAt)} (the caller gets it then on Lambda)`);
  else lines.push(`  no response posted: the function failed at init, timed out or exited (status ${result.status}; see the body and log lines)`);
  lines.push(`  response body:   ${body}`);
  if (result.errorPostedAt === undefined && result.responsePostedAt === undefined) return lines; // no release or freeze to speak of
  lines.push(at.layer
    ? `  released:        ${ms(start, result.extensionReleasedAt)} (the extension let the environment freeze)`
    : `  released:        ${ms(start, result.runtimeNextAt)} (the runtime's next: no extension holds it)`);
  lines.push(`  frozen:          ${ms(start, result.frozenAt)}`);
  return lines;
}
