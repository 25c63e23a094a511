// One invoke of `npm run invoke` as text: when the response was posted, its body, when the
// environment was released and frozen (or that the invoke timed out), and what failed.
import type { InvokeResult } from '../rig/sandbox.ts';
import { extensionPresent, timedOutAfter, type InvokeJudgement } from './invoke-verdict.ts';

const BODY_LIMIT = 500; // characters of the response body shown

const ms = (from: number, to: number | undefined): string => (to === undefined ? 'never' : `${(to - from).toFixed(1)} ms`);

export interface InvokeHeading {
  readonly index: number;
  readonly of: number;
  /** A new runtime process: the first invoke, or one after a reset (a timeout, a crash). */
  readonly cold: boolean;
  readonly layer: boolean;
}

export function describeInvoke(result: InvokeResult, at: InvokeHeading, judgement: InvokeJudgement): string[] {
  const start = result.startedAt;
  const id = result.requestId ?? 'none (the runtime did not fetch the invoke)';
  const lines = [`invoke ${at.index} of ${at.of} (${at.cold ? 'cold' : 'warm'}), request id ${id}; times from the start of the invoke`];
  for (const problem of judgement.problems) lines.push(`  FAILED:          ${problem.text}`);
  for (const sent of judgement.jobs.handedOff) lines.push(`  sent to queue:   ${sent} (it continues there, through handleTaskBatch)`);
  if (result.errorPostedAt !== undefined) lines.push(`  error posted:    ${ms(start, result.errorPostedAt)} (the handler failed)`);
  else if (result.responsePostedAt !== undefined) lines.push(`  response posted: ${ms(start, result.responsePostedAt)} (the caller gets it then on Lambda)`);
  else lines.push(`  no response posted: the function failed at init, timed out or exited (status ${result.status}; see the log lines)`);
  const seconds = timedOutAfter(result.body);
  if (seconds !== undefined) return [...lines, ...timedOutLines(seconds, result)];
  const body = result.body.length > BODY_LIMIT ? `${result.body.slice(0, BODY_LIMIT)}… (${result.body.length} characters)` : result.body;
  lines.push(`  response body:   ${body}`);
  if (result.errorPostedAt === undefined && result.responsePostedAt === undefined) return lines; // no release or freeze to speak of
  lines.push(releaseLine(result, at.layer));
  lines.push(`  frozen:          ${ms(start, result.frozenAt)}`);
  return lines;
}

function timedOutLines(seconds: string, result: InvokeResult): string[] {
  const posted = result.responsePostedAt !== undefined || result.errorPostedAt !== undefined;
  return [
    posted
      ? `  response body:   not returned: the emulator answered "Task timed out after ${seconds} seconds" (it returns a response only once the environment is released; on Lambda the caller had it when it was posted)`
      : `  response body:   none: the emulator answered "Task timed out after ${seconds} seconds"`,
    `  timed out:       after ${seconds} s, the emulator stopped the function's processes (on Lambda the environment is reset: the next invoke starts cold)`,
  ];
}

function releaseLine(result: InvokeResult, layer: boolean): string {
  const start = result.startedAt;
  if (!layer) return `  released:        ${ms(start, result.runtimeNextAt)} (the runtime's next: no extension holds it)`;
  if (!extensionPresent(result)) return `  released:        ${ms(start, result.runtimeNextAt)} (the runtime's next: no extension registered, so nothing held the environment; see the layer's log line)`;
  // Lambda freezes once the runtime AND every extension have called `next` (the test kit's `releasedMs`):
  // an extension that let go while the handler still ran (the deadline) does not freeze it earlier.
  const { extensionReleasedAt: extension, runtimeNextAt: runtime } = result;
  const answered = result.responsePostedAt ?? result.errorPostedAt;
  if (extension !== undefined && answered !== undefined && runtime !== undefined && answered > extension) return `  released:        ${ms(start, extension)} (the extension's next; the handler still ran: Lambda can freeze at the runtime's next, ${ms(start, runtime)})`;
  return `  released:        ${ms(start, extension)} (the extension let the environment freeze)`;
}
