// `npm run demo`: the Slack example (examples/slack-slash-command/handler.mjs) under the Runtime
// Interface Emulator, on both Node profiles, with the layer and without it. A loopback Slack
// stand-in signs a slash command, sends it as a Function URL event and listens on response_url;
// the demo prints when the ack was posted and when the follow-up arrived, cold and warm.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandEvent, SIGNING_SECRET, SlackStandIn } from '../integration/slack-stand-in.ts';
import { EXAMPLE_DIR, slackTaskDir } from '../integration/slack-task.ts';
import { startSandbox, type Profile } from '../rig/sandbox.ts';

const layerDir = fileURLToPath(new URL('../../dist/layer', import.meta.url));
const WORK_MS = 1500;
const RUNS = 3; // the first is the cold start

interface Variant { readonly label: string; readonly layer: boolean }
const VARIANTS: Variant[] = [
  { label: 'with the layer', layer: true },
  { label: 'without (client bundled)', layer: false },
];

interface Sent { readonly url: string; readonly startedAt: number; readonly frozenAt: number; readonly row: string }

async function runVariant(profile: Profile, variant: Variant, standIn: SlackStandIn): Promise<string[]> {
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_DEMO_WORK_MS: String(WORK_MS) };
  const box = await startSandbox({
    profile, handler: 'handler.handler', timeoutSeconds: 10,
    ...(variant.layer
      ? { taskDir: EXAMPLE_DIR, layerDir, env: { ...env, AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } }
      : { taskDir: slackTaskDir({ bundledClient: true }), env }),
  });
  try {
    const sent: Sent[] = [];
    for (let i = 0; i < RUNS; i++) {
      const url = standIn.responseUrl(`${profile}-${String(variant.layer)}-${String(i)}`);
      const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
      const ack = (result.responsePostedAt ?? NaN) - result.startedAt;
      const row = `| ${profile} | ${variant.label} | ${i === 0 ? 'cold' : 'warm'} | ${ack.toFixed(1)} ms |`;
      sent.push({ url, startedAt: result.startedAt, frozenAt: result.frozenAt ?? NaN, row });
      if (!variant.layer) await new Promise((resolve) => setTimeout(resolve, WORK_MS + 500)); // give a frozen job every chance
    }
    return sent.map((s) => `${s.row} ${followUp(standIn, s)} |`);
  } finally {
    await box.stop();
  }
}

function followUp(standIn: SlackStandIn, s: Sent): string {
  const post = standIn.postsTo(s.url)[0];
  if (post === undefined) return 'never (frozen)';
  const after = `${(post.at - s.startedAt).toFixed(0)} ms`;
  return post.at < s.frozenAt ? `${after}, before the freeze` : `after the freeze: at ${after}, once the next invoke thawed it`;
}

async function main(): Promise<void> {
  if (!existsSync(`${layerDir}/after-response`)) throw new Error('dist/layer is missing: run ./build.sh');
  console.log(`The Slack example: a stand-in signs "/lookup hello world" and sends it as a Function URL event.
The handler acks at once; the lookup takes ${WORK_MS} ms, then its answer is POSTed to response_url.
Slack needs the ack within 3 s. Times from the start of each invoke.\n`);
  const standIn = await SlackStandIn.start();
  const rows: string[] = [];
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      for (const variant of VARIANTS) rows.push(...(await runVariant(profile, variant, standIn)));
    }
  } finally {
    await standIn.close();
  }
  console.log('| profile | function | invoke | ack posted | follow-up arrived on response_url |');
  console.log('|---|---|---|---|---|');
  for (const line of rows) console.log(line);
  console.log(`
"ack posted": the runtime's POST of the response, seen on the Runtime API (on Lambda the caller
gets it then; the emulator itself returns the invoke only after the layer releases it).
Without the layer the environment is frozen right after the ack: the follow-up waits for a later
invoke to thaw it (on Lambda: maybe never, and response_url expires after 30 minutes).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
