// @ts-check
// The slash command as a task (`task-handler.handler`): the follow-up survives a lookup longer
// than the function's timeout. The ack goes out at once; the follow-up runs after the response as
// the task `slack-follow-up`; if the deadline comes first, the task goes to the SQS queue at
// AFTER_RESPONSE_TASK_QUEUE_URL and the same function finishes it from there (its SQS event
// source mapping with ReportBatchItemFailures). The pretend lookup models a slow backend that keeps
// working on its side (a report, an export): each attempt waits only for what is left of it.
// Env: SLACK_SIGNING_SECRET (required), SLACK_DEMO_WORK_MS (default 4000), AFTER_RESPONSE_TASK_QUEUE_URL.
import { defineTask, handleTaskBatch, isTaskBatch } from 'lambda-after-response'; // resolved from the layer
import { demoLookup, workMsFromEnv } from './demo-lookup.mjs';
import { readSlashCommand } from './slack-request.mjs';

const workMs = workMsFromEnv(process.env.SLACK_DEMO_WORK_MS, console);

/**
 * @typedef {{ text: string, responseUrl: string, command: string, startedAt: number }} FollowUp
 *   what the task carries through the queue (plain JSON): the command and when the lookup began (epoch ms)
 */

const followUp = defineTask('slack-follow-up', async (/** @type {FollowUp} */ payload, { signal }) => {
  const left = Math.max(0, payload.startedAt + workMs - Date.now());
  const answer = await demoLookup(payload.text, { signal, delayMs: left });
  const response = await fetch(payload.responseUrl, {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal,
    body: JSON.stringify({ response_type: 'ephemeral', text: answer }),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`response_url answered ${response.status} ${response.statusText}`);
});

/** @param {unknown} event @param {{ getRemainingTimeInMillis(): number }} [context] */
export const handler = async (event, context) => {
  if (isTaskBatch(event)) return handleTaskBatch(event, context); // the queue's deliveries
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!signingSecret) return reply(500, 'text/plain; charset=utf-8', 'Server misconfigured: SLACK_SIGNING_SECRET is not set');
  const read = readSlashCommand(event, { signingSecret, nowMs: Date.now() });
  if (!read.ok) return reply(read.statusCode, 'text/plain; charset=utf-8', read.message);
  if ('sslCheck' in read) return reply(200, 'text/plain; charset=utf-8', '');
  const { command } = read;
  followUp.enqueue({ text: command.text, responseUrl: command.responseUrl, command: command.command, startedAt: Date.now() });
  const asked = `${command.command} ${command.text}`.trim();
  return reply(200, 'application/json', JSON.stringify({ response_type: 'ephemeral', text: `Working on \`${asked}\`…` }));
};

/** @param {number} statusCode @param {string} type @param {string} body */
function reply(statusCode, type, body) {
  return { statusCode, headers: { 'content-type': type }, body };
}
