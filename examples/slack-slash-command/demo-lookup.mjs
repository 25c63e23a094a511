// @ts-check
// The slow work of the example: a pretend lookup that takes a configurable time. Replace it
// with your own (a database query, an LLM call, a report) that honours the abort signal.
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_WORK_MS = 4000; // longer than Slack's 3 s window: the reason this layer exists
const MAX_WORK_MS = 900_000; // Lambda's longest timeout

/**
 * Resolves after `delayMs` with a short answer about `query`; rejects with an AbortError as soon
 * as `signal` aborts.
 * @param {string} query
 * @param {{ signal: AbortSignal, delayMs: number }} options  delayMs in ms
 * @returns {Promise<string>}
 */
export async function demoLookup(query, { signal, delayMs }) {
  await sleep(delayMs, undefined, { signal });
  const words = query.split(/\s+/).filter(Boolean).length;
  return `Looked up "${query}": ${words} word(s), ${[...query].length} character(s).`;
}

/**
 * Parses `SLACK_DEMO_WORK_MS` (an integer 0–900000, ms; default 4000). An invalid value is
 * logged as an ERROR naming it, and the default is used.
 * @param {string | undefined} raw
 * @param {Pick<Console, 'error'>} log
 * @returns {number}
 */
export function workMsFromEnv(raw, log) {
  if (raw === undefined || raw.trim() === '') return DEFAULT_WORK_MS;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0 && value <= MAX_WORK_MS) return value;
  log.error(`Expected \`SLACK_DEMO_WORK_MS\` to be an integer from 0 to ${MAX_WORK_MS} (ms), got ${JSON.stringify(raw)}; using the default ${DEFAULT_WORK_MS}`);
  return DEFAULT_WORK_MS;
}
