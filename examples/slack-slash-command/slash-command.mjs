// @ts-check
// The slash command's logic with its side effects injected: answer Slack at once, then do the
// slow work as a job after the response and post the result (or an apology) to `response_url`.
import { readSlashCommand } from './slack-request.mjs';

/** @typedef {import('./slack-request.mjs').SlashCommand} SlashCommand */
/** @typedef {{ statusCode: number, headers: Record<string, string>, body: string }} HttpResponse */

/**
 * @typedef {object} SlashCommandDeps
 * @property {string | undefined} signingSecret  Slack app → Basic Information → Signing Secret
 * @property {(job: (context: { signal: AbortSignal }) => Promise<void>, options: { name: string }) => void} enqueue
 *   `enqueueAfterResponse` from lambda-after-response
 * @property {(command: SlashCommand, options: { signal: AbortSignal }) => Promise<string>} work
 *   the slow part: resolves with the answer's text; should stop when `signal` aborts
 * @property {typeof fetch} fetch
 * @property {() => number} now  epoch ms
 * @property {Pick<Console, 'error' | 'warn'>} log
 * @property {number} [apologyTimeoutMs]  bound on the apology's POST; default 1000 ms, inside the
 *   1500 ms AFTER_RESPONSE_ABORT_GRACE_MS the deploy templates set (the layer abandons the job after the grace)
 */

/** The job's name in the layer's logs. */
export const JOB_NAME = 'slack-follow-up';

/**
 * Builds the Lambda handler. Statuses: 200 + ephemeral JSON (accepted, one job queued), 200 empty
 * (Slack's ssl_check), 400 (malformed body), 401 (bad signature or stale timestamp), 500 (no
 * signing secret configured). Nothing is queued unless the answer is the ephemeral 200.
 * @param {SlashCommandDeps} deps
 * @returns {(event: unknown) => Promise<HttpResponse>}
 */
export function createSlashCommandHandler(deps) {
  return async (event) => {
    const signingSecret = deps.signingSecret;
    if (!signingSecret) {
      deps.log.error("SLACK_SIGNING_SECRET is not set: every request is refused with 500. Set it to the Signing Secret on your Slack app's Basic Information page.");
      return text(500, 'Server misconfigured: SLACK_SIGNING_SECRET is not set');
    }
    const read = readSlashCommand(event, { signingSecret, nowMs: deps.now() });
    if (!read.ok) {
      deps.log.warn(`Refused a request with ${read.statusCode}: ${read.message}`);
      return text(read.statusCode, read.message);
    }
    if ('sslCheck' in read) return text(200, '');
    const { command } = read;
    deps.enqueue(({ signal }) => followUp(command, signal, deps), { name: JOB_NAME });
    const asked = `${command.command} ${command.text}`.trim();
    return json(200, { response_type: 'ephemeral', text: `Working on \`${asked}\`…` });
  };
}

/**
 * The job: the work, then its answer to `response_url` (both stop when `signal` aborts). On any
 * failure, an apology is posted and the error rethrown, so the layer logs the job as failed.
 * @param {SlashCommand} command
 * @param {AbortSignal} signal  aborts shortly before the invoke's deadline
 * @param {SlashCommandDeps} deps
 */
async function followUp(command, signal, deps) {
  try {
    const answer = await deps.work(command, { signal });
    await postMessage(deps.fetch, command.responseUrl, { response_type: 'ephemeral', text: answer }, signal);
  } catch (error) {
    const why = signal.aborted ? 'it took too long' : 'something went wrong';
    await apologize(command, `Sorry, I could not finish \`${command.command} ${command.text}\`: ${why}. Please try again.`, deps);
    throw error;
  }
}

/**
 * Posts the apology within `apologyTimeoutMs`; never throws (a failure is logged).
 * @param {SlashCommand} command
 * @param {string} message
 * @param {SlashCommandDeps} deps
 */
async function apologize(command, message, deps) {
  try {
    const signal = AbortSignal.timeout(deps.apologyTimeoutMs ?? 1000);
    await postMessage(deps.fetch, command.responseUrl, { response_type: 'ephemeral', text: message }, signal);
  } catch (error) {
    deps.log.error(`Could not post the apology to response_url: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * @param {typeof fetch} fetchFn
 * @param {string} url
 * @param {Record<string, unknown>} message
 * @param {AbortSignal} signal
 */
async function postMessage(fetchFn, url, message, signal) {
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal,
  });
  await response.body?.cancel(); // Slack answers "ok"; nothing to read, but free the connection
  if (!response.ok) throw new Error(`response_url answered ${response.status} ${response.statusText}`);
}

/** @param {number} statusCode @param {string} body @returns {HttpResponse} */
function text(statusCode, body) {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** @param {number} statusCode @param {unknown} body @returns {HttpResponse} */
function json(statusCode, body) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
