// Baseline without the layer: background work after the response is lost once Lambda freezes
// the environment; the streaming trick keeps it alive by delaying the runtime's `next`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printSandboxOnFailure } from '../rig/on-failure.ts';
import { startSandbox, type Profile, type Sandbox, type SandboxOptions } from '../rig/sandbox.ts';
import { writeTaskDir } from '../rig/task-dir.ts';
import { toEpoch } from './product-helpers.ts';

const jobMs = 800;
const settleMs = 1500;

const esmHandler = `import { writeFile } from 'node:fs/promises';
export const handler = async (event) => {
  void new Promise((resolve) => setTimeout(resolve, ${jobMs})).then(() => writeFile('/tmp/' + event.marker, 'done'));
  return { accepted: event.marker };
};
`;
const cjsHandler = `const { writeFile } = require('node:fs/promises');
exports.handler = async (event) => {
  void new Promise((resolve) => setTimeout(resolve, ${jobMs})).then(() => writeFile('/tmp/' + event.marker, 'done'));
  return { accepted: event.marker };
};
`;
const streamingHandler = `import { writeFile } from 'node:fs/promises';
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write(JSON.stringify({ accepted: event.marker }));
  responseStream.end();
  await new Promise((resolve) => setTimeout(resolve, ${jobMs}));
  await writeFile('/tmp/' + event.marker, String(performance.timeOrigin + performance.now()));
});
`;
const taskDir = writeTaskDir({ 'esm.mjs': esmHandler, 'cjs.js': cjsHandler, 'stream.mjs': streamingHandler });

async function withSandbox<T>(options: SandboxOptions, body: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox(options);
  printSandboxOnFailure(sandbox);
  try {
    return await body(sandbox);
  } finally {
    await sandbox.stop();
  }
}

function processState(pid: number | undefined): string | undefined {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** Invokes once, waits settleMs after the invoke returned, and reports whether the job wrote its file. */
async function jobSurvives(profile: Profile, handler: string, freeze: boolean): Promise<boolean> {
  return withSandbox({ profile, taskDir, handler, freeze }, async (sandbox) => {
    const marker = `job-${handler}-${String(freeze)}`;
    const result = await sandbox.invoke({ marker });
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ accepted: marker });
    expect(existsSync(join(sandbox.tmpDir, marker)), 'the invoke returned before the job wrote its file').toBe(false);
    expect(processState(result.runtimePid) === 'T').toBe(freeze); // T: stopped by the freeze
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, result.returnedAt + settleMs - performance.now())));
    return existsSync(join(sandbox.tmpDir, marker));
  });
}

describe.each<Profile>(['nodejs22.x', 'nodejs24.x'])('without the layer on %s', (profile) => {
  it('an ESM handler loses its un-awaited 800 ms job once the environment is frozen after the response', async () => {
    expect(await jobSurvives(profile, 'esm.handler', true)).toBe(false);
  });

  it('a CommonJS handler loses its un-awaited 800 ms job the same way', async () => {
    expect(await jobSurvives(profile, 'cjs.handler', true)).toBe(false);
  });

  it('the same job completes when freeze emulation is off, so the frozen case can fail', async () => {
    expect(await jobSurvives(profile, 'esm.handler', false)).toBe(true);
  });
});

describe('the streaming trick on nodejs24.x', () => {
  it('sends the streamed response before the job and finishes the job before the freeze', async () => {
    await withSandbox({ profile: 'nodejs24.x', taskDir, handler: 'stream.handler' }, async (sandbox) => {
      const marker = 'job-stream';
      const result = await sandbox.invoke({ marker });
      const completed = existsSync(join(sandbox.tmpDir, marker));
      const postedMs = (result.responsePostedAt ?? Number.NaN) - result.startedAt;
      console.log(
        `streaming trick: response posted after ${postedMs.toFixed(1)} ms, invoke returned after ` +
          `${result.durationMs.toFixed(1)} ms, runtime next after ${((result.runtimeNextAt ?? NaN) - result.startedAt).toFixed(1)} ms, ` +
          `job completed before freeze: ${String(completed)}`,
      );
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ accepted: marker });
      expect(completed).toBe(true);
      const jobDoneAt = Number(readFileSync(join(sandbox.tmpDir, marker), 'utf8'));
      expect(toEpoch(result.responsePostedAt ?? NaN), 'the streamed response was posted before the job ended').toBeLessThan(jobDoneAt);
    });
  });
});
