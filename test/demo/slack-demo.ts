// `npm run demo`: a Slack-style function under the Runtime Interface Emulator, with the layer
// and without (awaiting the work), on both Node profiles. Prints when the runtime posted the
// response, when the job finished, and when the extension released the environment.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox, type InvokeResult, type Profile, type Sandbox } from '../rig/sandbox.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const layerDir = `${root}/dist/layer`;
const taskDir = `${root}/test/fixtures/app`;
const JOB_MS = 1500;

interface Variant { readonly label: string; readonly handler: string; readonly layer: boolean }
const VARIANTS: Variant[] = [
  { label: 'with lambda-after-response', handler: 'slack.handler', layer: true },
  { label: 'awaiting the work (today)', handler: 'slack-await.handler', layer: false },
];

function jobEnd(box: Sandbox): number | undefined {
  const path = `${box.tmpDir}/job-done.json`;
  if (!existsSync(path)) return undefined;
  const at = (JSON.parse(readFileSync(path, 'utf8')) as { at: number }).at;
  rmSync(path);
  return at - performance.timeOrigin;
}

function row(profile: Profile, variant: Variant, result: InvokeResult, jobAt: number | undefined): string {
  const since = (t: number | undefined): string => (t === undefined ? '—' : `${(t - result.startedAt).toFixed(1)} ms`);
  return `| ${profile} | ${variant.label} | ${since(result.responsePostedAt)} | ${since(jobAt)} | ${since(result.extensionReleasedAt)} | ${result.durationMs.toFixed(1)} ms |`;
}

async function runVariant(profile: Profile, variant: Variant): Promise<string[]> {
  const layer = variant.layer ? { layerDir, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } } : {};
  const box = await startSandbox({ profile, taskDir, handler: variant.handler, timeoutSeconds: 10, ...layer });
  try {
    await box.invoke({ dir: '/tmp', jobMs: 10 }); // cold start out of the way
    jobEnd(box);
    const rows: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await box.invoke({ dir: '/tmp', jobMs: JOB_MS });
      rows.push(row(profile, variant, result, jobEnd(box)));
    }
    if (variant.layer) {
      const summary = box.logs().split('\n').filter((l) => l.includes('after-response summary')).at(-1);
      console.log(`  ${profile} extension log: ${summary?.slice(summary.indexOf('{')) ?? '(none)'}`);
    }
    return rows;
  } finally {
    await box.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(`${layerDir}/after-response`)) throw new Error('dist/layer is missing: run ./build.sh');
  console.log(`Slack-style handler: answers at once, then does ${JOB_MS} ms of work. Times from invoke start.\n`);
  const rows: string[] = [];
  for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
    for (const variant of VARIANTS) rows.push(...(await runVariant(profile, variant)));
  }
  console.log('\n| profile | handler | response posted by the runtime | job finished | extension released | RIE invoke returned |');
  console.log('|---|---|---|---|---|---|');
  for (const line of rows) console.log(line);
  console.log(`
On Lambda the caller receives the response when the runtime posts it ("response posted").
The emulator (RIE) returns the HTTP invoke only after every extension has called next, so its
"invoke returned" column includes the hold; the recording proxy on the Runtime API shows the
real response time. Without the layer, the response waits for the work.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
