// `npm run demo`: the Slack example (examples/slack-slash-command/handler.mjs) under the Runtime
// Interface Emulator, on both Node profiles, with the layer and without it. A loopback Slack
// stand-in signs a slash command, sends it as a Function URL event and listens on response_url;
// the demo prints when the ack was posted and when the follow-up arrived, cold and warm. A
// baseline without the layer awaits the lookup before answering: its ack comes after Slack's 3 s.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandEvent, SIGNING_SECRET, SlackStandIn } from '../integration/slack-stand-in.ts';
import { EXAMPLE_DIR, slackTaskDir } from '../integration/slack-task.ts';
import { startSandbox, type Profile } from '../rig/sandbox.ts';
import { Interrupted, withRigRun } from './command-run.ts';

const layerDir = fileURLToPath(new URL('../../dist/layer', import.meta.url));
const SLACK_ACK_MS = 3000; // Slack shows "operation_timeout" when the ack takes longer
const WORK_MS = 4000; // the example's default: longer than Slack's 3 s window
const RUNS = 2; // cold, then warm

// The common workaround without the layer: await the lookup, answer with its result.
const AWAITING_HANDLER = `import { readSlashCommand } from './slack-request.mjs';
import { demoLookup } from './demo-lookup.mjs';
export const handler = async (event) => {
  const read = readSlashCommand(event, { signingSecret: process.env.SLACK_SIGNING_SECRET, nowMs: Date.now() });
  if (!read.ok || !('command' in read)) return { statusCode: 400, body: '' };
  const text = await demoLookup(read.command.text, { signal: AbortSignal.timeout(9000), delayMs: Number(process.env.SLACK_DEMO_WORK_MS) });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text }) };
};
`;

interface Variant { readonly label: string; readonly mode: 'layer' | 'bundled' | 'awaiting' }
const VARIANTS: Variant[] = [
  { label: 'with the layer', mode: 'layer' },
  { label: 'without (client bundled)', mode: 'bundled' },
  { label: 'without, awaiting the lookup', mode: 'awaiting' },
];

interface Sent { readonly url: string; readonly startedAt: number; readonly frozenAt: number; readonly row: string }

function sandboxOptions(variant: Variant, env: Record<string, string>) {
  if (variant.mode === 'layer') return { taskDir: EXAMPLE_DIR, layerDir, env: { ...env, AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } };
  if (variant.mode === 'bundled') return { taskDir: slackTaskDir({ bundledClient: true }), env };
  return { taskDir: slackTaskDir({ extraFiles: { 'awaiting.mjs': AWAITING_HANDLER } }), env, handler: 'awaiting.handler' };
}

async function runVariant(profile: Profile, variant: Variant, standIn: SlackStandIn, signal: AbortSignal): Promise<string[]> {
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_DEMO_WORK_MS: String(WORK_MS) };
  const box = await startSandbox({ profile, handler: 'handler.handler', timeoutSeconds: 10, ...sandboxOptions(variant, env) });
  // Ctrl-C or SIGTERM: stop the sandbox (RIE and the function's processes) at once.
  const onAbort = (): void => void box.stop().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const sent: Sent[] = [];
    for (let i = 0; i < RUNS; i++) {
      const url = standIn.responseUrl(`${profile}-${variant.mode}-${String(i)}`);
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      const ack = (result.responsePostedAt ?? NaN) - result.startedAt;
      const late = ack > SLACK_ACK_MS ? ' (after Slack\'s 3 s: "operation_timeout")' : '';
      const row = `| ${profile} | ${variant.label} | ${i === 0 ? 'cold' : 'warm'} | ${ack.toFixed(1)} ms${late} |`;
      sent.push({ url, startedAt: result.startedAt, frozenAt: result.frozenAt ?? NaN, row });
      if (variant.mode === 'bundled') await new Promise((resolve) => setTimeout(resolve, WORK_MS + 500)); // give a frozen job every chance
    }
    return sent.map((s) => `${s.row} ${variant.mode === 'awaiting' ? 'none: the answer was the (late) ack' : followUp(standIn, s)} |`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await box.stop();
  }
}

function followUp(standIn: SlackStandIn, s: Sent): string {
  const post = standIn.postsTo(s.url)[0];
  if (post === undefined) return 'never (frozen)';
  const after = `${(post.at - s.startedAt).toFixed(0)} ms`;
  if (post.at < s.frozenAt) return `${after}, before the freeze`;
  return `after the freeze: at ${after}*, once the next invoke thawed it`;
}

async function main(): Promise<void> {
  if (!existsSync(`${layerDir}/after-response`)) throw new Error('dist/layer is missing: run ./build.sh');
  console.log(`The Slack example: a stand-in signs "/lookup hello world" and sends it as a Function URL event.
The handler acks at once; the lookup takes ${WORK_MS} ms, then its answer is POSTed to response_url.
Slack needs the ack within 3 s. Times from the start of each invoke (but see * below).\n`);
  const rows = await withRigRun(async (signal) => {
    const standIn = await SlackStandIn.start();
    const done: string[] = [];
    try {
      for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
        for (const variant of VARIANTS) {
          signal.throwIfAborted();
          done.push(...(await runVariant(profile, variant, standIn, signal)));
        }
      }
    } finally {
      await standIn.close();
    }
    return done;
  });
  console.log('| profile | function | invoke | ack posted | follow-up arrived on response_url |');
  console.log('|---|---|---|---|---|');
  for (const line of rows) console.log(line);
  console.log(`
"ack posted": the runtime's POST of the response, seen on the Runtime API (on Lambda the caller
gets it then; the emulator itself returns the invoke only after the layer releases it).
Without the layer the environment is frozen right after the ack: the follow-up waits for a later
invoke to thaw it (on Lambda: maybe never, and response_url expires after 30 minutes).
* A follow-up that arrives only after a thaw is timed from the start of the invoke that enqueued
  it (the earlier one), not the one that thawed it; the demo waits ${WORK_MS + 500} ms between them.
Awaiting the lookup before answering (the usual workaround) needs no layer, but its ack comes
after the ${WORK_MS} ms lookup: past Slack's 3 s, so the user sees an error instead of the answer.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Interrupted ? `npm run demo: ${error.message}` : error);
  process.exitCode = error instanceof Interrupted ? error.exitCode : 1;
});
