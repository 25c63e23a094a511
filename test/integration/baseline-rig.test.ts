// Self-check of the rig itself: Lambda layout and env, layer ESM resolution, the exec wrapper,
// Extensions API recording, fault injection, and an untouched host.
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSandboxOnFailure } from '../rig/on-failure.ts';
import { startSandbox, type Profile, type Sandbox } from '../rig/sandbox.ts';
import { writeTaskDir } from '../rig/task-dir.ts';
import { profileTools } from '../rig/tools.ts';

const releaseDelayMs = 300;
const responseDelayMs = 400;

const extension = `import { request } from 'node:http';
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const req = request({ host, port, method, path, headers, agent: false }, (res) => {
    let text = ''; res.on('data', (c) => (text += c)); res.on('end', () => resolve({ headers: res.headers, text }));
  });
  req.on('error', reject); req.end(body);
});
const reg = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'rig-probe' }, '{"events":["INVOKE"]}');
const id = reg.headers['lambda-extension-identifier'];
void (async () => {
  for (let first = true; ; first = false) {
    if (!first) await new Promise((r) => setTimeout(r, ${releaseDelayMs}));
    await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
  }
})();
`;
const wrapper = `#!/bin/bash
export RIG_WRAPPED=yes
exec "$1" --import=/opt/rig-probe.mjs "\${@:2}"
`;
const handler = `import pkg from 'rig-layer-pkg';
import { writeFileSync } from 'node:fs';
export const handler = async () => {
  let taskWritable = true;
  try { writeFileSync('/var/task/x', 'x'); } catch { taskWritable = false; }
  const leaked = Object.keys(process.env).filter((k) => /^(VITEST|NODE_OPTIONS|npm_)/.test(k));
  const keys = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_TIMEOUT',
    'AWS_EXECUTION_ENV', 'AWS_REGION', 'TZ', 'NODE_PATH', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_MAX_CONCURRENCY'];
  const env = Object.fromEntries(keys.map((k) => [k, process.env[k] ?? null]));
  return { pkg, wrapped: process.env.RIG_WRAPPED ?? null, cwd: process.cwd(), taskWritable, leaked, env };
};
`;

function layerDir(): string {
  const dir = writeTaskDir({ 'rig-probe.mjs': extension, wrapper });
  chmodSync(join(dir, 'wrapper'), 0o755);
  const pkg = join(dir, 'nodejs', 'node_modules', 'rig-layer-pkg');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"rig-layer-pkg","type":"module","exports":"./index.js"}');
  writeFileSync(join(pkg, 'index.js'), 'export default "from-layer";\n');
  return dir;
}

describe.each<Profile>(['nodejs22.x', 'nodejs24.x'])('the rig on %s', (profile) => {
  // A start failure (e.g. a tool not provisioned) then fails each test instead of skipping it.
  let starting: Promise<Sandbox>;
  const hostBefore = { opt: readdirSync('/opt'), var: readdirSync('/var') };

  beforeAll(() => {
    starting = startSandbox({
      profile,
      taskDir: writeTaskDir({ 'index.mjs': handler }),
      handler: 'index.handler',
      layerDir: layerDir(),
      env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper' },
      timeoutSeconds: 10,
      memorySizeMb: 256,
      faults: [{ path: /\/invocation\/[^/]+\/response$/, method: 'POST', action: { kind: 'delay', ms: responseDelayMs }, times: 1 }],
    });
    starting.catch(() => undefined);
  });
  afterAll(async () => {
    await (await starting.catch(() => undefined))?.stop();
  });

  it('finds RIE, Node and the runtime client provisioned for this profile (else: run test/rig/provision.sh)', () => {
    expect(() => profileTools(profile)).not.toThrow();
  });

  it('runs the handler at /var/task through the exec wrapper with Lambda env and a layer package imported as ESM', async () => {
    const sandbox = await starting;
    printSandboxOnFailure(sandbox);
    const result = await sandbox.invoke({});
    const major = profile === 'nodejs22.x' ? 'node22' : 'node24';
    expect(result.status).toBe(200);
    expect(result.json()).toMatchObject({ pkg: 'from-layer', wrapped: 'yes', cwd: '/var/task', taskWritable: false, leaked: [] });
    expect(result.json()).toMatchObject({
      env: {
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_LAMBDA_FUNCTION_TIMEOUT: '10', TZ: ':UTC', LAMBDA_TASK_ROOT: '/var/task',
        AWS_EXECUTION_ENV: `AWS_Lambda_${profile}`, AWS_LAMBDA_MAX_CONCURRENCY: null,
        NODE_PATH: `/opt/nodejs/${major}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`,
      },
    });
    expect(result.runtimePid).toBeGreaterThan(0);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records the delayed response post, the runtime next and the extension release in order', async () => {
    const sandbox = await starting;
    printSandboxOnFailure(sandbox);
    const calls = sandbox.calls();
    expect(calls.filter((c) => c.kind === 'extension-register')).toMatchObject([{ extensionName: 'rig-probe', status: 200 }]);
    const first = calls.find((c) => c.kind === 'runtime-response');
    expect(first?.fault).toBe('delay');
    const result = await sandbox.invoke({});
    const delivered = result.calls.find((c) => c.kind === 'extension-next' && c.requestId === result.requestId);
    expect(result.calls.find((c) => c.kind === 'runtime-response')?.fault, 'this response was not delayed (times: 1)').toBeUndefined();
    expect(result.extensionReleasedAt).toBeGreaterThan(result.responsePostedAt ?? NaN);
    // The release is the probe's next after the one that delivered the event (it waits 300 ms first).
    const release = result.calls.find((c) => c.kind === 'extension-next' && c.extensionName === 'rig-probe' && c.startedAt >= (delivered?.endedAt ?? Infinity));
    expect(release).toBeDefined();
    expect(result.extensionReleasedAt).toBe(release?.startedAt);
    expect(result.runtimeNextAt).toBeLessThan(result.extensionReleasedAt ?? NaN);
    expect(result.returnedAt).toBeGreaterThanOrEqual(result.extensionReleasedAt ?? NaN);
    expect(result.calls.some((c) => c.kind === 'extension-next' && c.extensionName === 'rig-probe')).toBe(true);
  });

  it('applied the response delay fault to the first invoke only', async () => {
    const responses = (await starting).calls().filter((c) => c.kind === 'runtime-response');
    expect(responses.map((c) => c.fault ?? 'none')).toEqual(['delay', 'none']);
    // Delayed, then forwarded and answered (the delay itself: test/unit/rig-recording-proxy.test.ts).
    expect(responses[0]?.status).toBe(202);
  });

  it('adds the bench knob RIG_NODE_FLAGS to node\'s command line, last', async () => {
    const probe = 'export const handler = async () => ({ execArgv: process.execArgv, limit: Error.stackTraceLimit });\n';
    const knob = await startSandbox({ profile, taskDir: writeTaskDir({ 'index.mjs': probe }), handler: 'index.handler', env: { RIG_NODE_FLAGS: '--stack-trace-limit=7 --no-maglev' } });
    try {
      printSandboxOnFailure(knob);
      const result = (await knob.invoke({})).json() as { execArgv: string[]; limit: number };
      expect(result.limit).toBe(7);
      expect(result.execArgv.slice(-2)).toEqual(['--stack-trace-limit=7', '--no-maglev']);
    } finally {
      await knob.stop();
    }
  });

  it('leaves the host /opt and /var as they were', () => {
    expect({ opt: readdirSync('/opt'), var: readdirSync('/var') }).toEqual(hostBefore);
  });
});
