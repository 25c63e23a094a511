// The core of `npm run invoke`: a user's function dir as /var/task under the Runtime Interface
// Emulator (real RIC, freeze emulation), with the built layer at /opt or without it; N invokes,
// each reported as text: when the response was posted, its body, when the environment was
// released (frozen), and the function's log lines.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox, type InvokeResult, type Sandbox } from '../rig/sandbox.ts';
import type { InvokeOptions } from './invoke-args.ts';

export const LAYER_DIR = fileURLToPath(new URL('../../dist/layer', import.meta.url));
const BODY_LIMIT = 500; // characters of the response body shown
// RIE's own lines, e.g. `30 Nov 2026 22:04:47,941 [INFO] (rapid) INIT START(...)`: not on Lambda.
const EMULATOR_LINE = /^\d{2} \w{3} \d{4} [\d:,]+ \[\w+\] \(rapid\)/;

/** Where the report goes, one line at a time (stdout in the command, an array in tests). */
export type Print = (line: string) => void;

/**
 * Starts the sandbox, invokes `options.times` times in a row, prints each invoke, stops the
 * sandbox (also when an invoke fails, or at once when `control.signal` aborts). @throws {Error} when dist/layer is missing (with the
 * layer) or the sandbox does not start (its output attached).
 */
export async function invokeFunction(options: InvokeOptions, print: Print, control: { readonly signal?: AbortSignal } = {}): Promise<void> {
  if (options.layer && !existsSync(`${LAYER_DIR}/after-response`)) throw new Error(`${LAYER_DIR} is missing: run bash build.sh (npm run invoke does)`);
  print(`${options.functionDir} as /var/task, handler ${options.handler}, ${options.profile}, ${options.layer ? 'with the layer (dist/layer at /opt)' : 'without the layer'}, timeout ${options.timeoutSeconds} s`);
  const box = await startSandbox({
    profile: options.profile, taskDir: options.functionDir, handler: options.handler, timeoutSeconds: options.timeoutSeconds,
    ...(options.layer
      ? { layerDir: LAYER_DIR, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response', ...options.env } }
      : { env: { ...options.env } }),
  });
  // Ctrl-C: stop the sandbox (RIE and the function's processes) rather than leave it running.
  const onAbort = (): void => void box.stop().catch(() => undefined);
  control.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let i = 1; i <= options.times && control.signal?.aborted !== true; i++) {
      const mark = box.logMark();
      const result = await box.invoke(options.event);
      print('');
      for (const line of describeInvoke(result, { index: i, of: options.times, layer: options.layer })) print(line);
      print('  log lines:');
      for (const line of functionLogLines(box, mark)) print(`    ${line}`);
    }
  } finally {
    control.signal?.removeEventListener('abort', onAbort);
    await box.stop();
  }
}

const ms = (from: number, to: number | undefined): string => (to === undefined ? 'never' : `${(to - from).toFixed(1)} ms`);

function describeInvoke(result: InvokeResult, at: { index: number; of: number; layer: boolean }): string[] {
  const start = result.startedAt;
  const body = result.body.length > BODY_LIMIT ? `${result.body.slice(0, BODY_LIMIT)}… (${result.body.length} characters)` : result.body;
  const lines = [`invoke ${at.index} of ${at.of} (${at.index === 1 ? 'cold' : 'warm'}), request id ${result.requestId ?? '?'}; times from the start of the invoke`];
  if (result.errorPostedAt !== undefined) lines.push(`  error posted:    ${ms(start, result.errorPostedAt)} (the handler failed)`);
  else if (result.responsePostedAt !== undefined) lines.push(`  response posted: ${ms(start, result.responsePostedAt)} (the caller gets it then on Lambda)`);
  else lines.push(`  no response posted: the function failed at init, timed out or exited (status ${result.status}; see the body and log lines)`);
  lines.push(`  response body:   ${body}`);
  lines.push(at.layer
    ? `  released:        ${ms(start, result.extensionReleasedAt)} (the extension let the environment freeze)`
    : `  released:        ${ms(start, result.runtimeNextAt)} (the runtime's next: no extension holds it)`);
  lines.push(`  frozen:          ${ms(start, result.frozenAt)}; work still pending then waits for the next invoke (on Lambda: maybe forever)`);
  return lines;
}

/** What the function, the runtime and the layer printed during the invoke (the emulator's own lines left out). */
function functionLogLines(box: Sandbox, mark: number): string[] {
  return box.logsSince(mark).split('\n').filter((line) => line.trim() !== '' && !EMULATOR_LINE.test(line) && !line.startsWith('[rig]'));
}
