// @ts-check
// The same slash command with Slack's Bolt framework (`@slack/bolt`, installed or bundled with the
// function): Lambda handler `bolt.handler`. The plain handler's request checks (request-gate.mjs:
// signature, timestamp within 5 minutes either way, a form body with `command` and `response_url`)
// run first, so bad requests get the same 400/401 and never reach Bolt. Bolt's AwsLambdaReceiver
// returns what `ack()` was given once the listener has returned, so the listener only acks and
// enqueues; the slow work runs after the response, held by the layer. Env: SLACK_SIGNING_SECRET,
// SLACK_DEMO_WORK_MS (default 4000 ms).
import { App, AwsLambdaReceiver } from '@slack/bolt';
import { enqueueAfterResponse } from 'lambda-after-response'; // resolved from the layer
import { demoLookup, workMsFromEnv } from './demo-lookup.mjs';
import { refuseBadRequests } from './request-gate.mjs';

const workMs = workMsFromEnv(process.env.SLACK_DEMO_WORK_MS, console);
const RESPOND_TIMEOUT_MS = 5000; // bounds each POST to response_url (Bolt's respond() takes no signal)

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' });

const app = new App({
  receiver,
  // Answering through response_url (`respond`) needs no bot token, so no auth.test call at
  // start; an app that calls the Web API passes `token: process.env.SLACK_BOT_TOKEN` instead.
  authorize: async () => ({}),
  clientOptions: {
    fetch: (url, init) => {
      const bound = AbortSignal.timeout(RESPOND_TIMEOUT_MS);
      return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, bound]) : bound });
    },
  },
});

app.command(/.*/, async ({ command, ack, respond }) => {
  await ack({ response_type: 'ephemeral', text: `Working on \`${`${command.command} ${command.text}`.trim()}\`…` });
  enqueueAfterResponse(async ({ signal }) => {
    try {
      const answer = await demoLookup(command.text, { signal, delayMs: workMs });
      await respond({ response_type: 'ephemeral', text: answer });
    } catch (error) {
      const why = signal.aborted ? 'it took too long' : 'something went wrong';
      await respond({ response_type: 'ephemeral', text: `Sorry, I could not finish \`${command.command} ${command.text}\`: ${why}. Please try again.` })
        .catch((/** @type {unknown} */ e) => console.error(`Could not post the apology to response_url: ${String(e)}`));
      throw error; // the layer logs the job as failed, by name
    }
  }, { name: 'slack-follow-up' });
});

/** @typedef {Awaited<ReturnType<AwsLambdaReceiver['start']>>} AwsHandler */
/** @type {AwsHandler | undefined} */
let lambdaHandler;

/** @type {AwsHandler} Bolt's receiver, started once per environment, at the first invoke that passes the checks. */
const boltHandler = async (event, context) => {
  lambdaHandler ??= await receiver.start();
  return lambdaHandler(event, context);
};

/** Lambda handler: the plain handler's 400/401 for bad requests, Bolt for the rest. */
export const handler = refuseBadRequests(boltHandler, { signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', now: Date.now, log: console });
