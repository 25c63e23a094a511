// @ts-check
// The deployable Slack slash command: Lambda handler `handler.handler` (Function URL or API
// Gateway HTTP API), with the lambda-after-response layer attached and
// AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response. Env: SLACK_SIGNING_SECRET (required),
// SLACK_DEMO_WORK_MS (how long the pretend work takes; default 4000 ms).
import { enqueueAfterResponse } from 'lambda-after-response'; // resolved from the layer
import { demoLookup, workMsFromEnv } from './demo-lookup.mjs';
import { createSlashCommandHandler } from './slash-command.mjs';

const workMs = workMsFromEnv(process.env.SLACK_DEMO_WORK_MS, console);

export const handler = createSlashCommandHandler({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  enqueue: enqueueAfterResponse,
  // Your slow work goes here; `signal` aborts shortly before the function's deadline.
  work: (command, { signal }) => demoLookup(command.text, { signal, delayMs: workMs }),
  fetch: globalThis.fetch,
  now: Date.now,
  log: console,
});
