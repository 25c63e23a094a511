// The built layer without its lazily required reporting.cjs (a layer not deployed whole): the
// extension still holds and summarizes the invoke, and says in one ERROR naming the file that no
// EMF line is written. A plain node process of each profile preloads a copy of dist/'s
// extension.mjs alone, against a stand-in Runtime API that answers register and one INVOKE; with
// no runtime client to observe, the extension holds it best-effort (a job enqueued at module
// init joins it; the handler counts as done after the idle window). With the file, the EMF line
// is written as from the whole layer.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileTools } from '../rig/tools.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'layer', 'lambda-after-response', 'extension.mjs');

/** Answers register, the first `next` with one INVOKE, and holds every later `next`; the second is the invoke's release. */
function runtimeApi(onRelease: () => void): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  let nexts = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (text.startsWith('POST /2020-01-01/extension/register')) socket.write('HTTP/1.1 200 OK\r\nlambda-extension-identifier: x\r\ncontent-length: 2\r\n\r\n{}');
      if (text.startsWith('GET /2020-01-01/extension/event/next') && ++nexts === 1) {
        const body = JSON.stringify({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 30_000 });
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      } else if (text.startsWith('GET /2020-01-01/extension/event/next')) onRelease();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ port: typeof address === 'object' && address ? address.port : 0, close: () => { for (const s of sockets) s.destroy(); server.close(); } });
  }));
}

/** Runs node until it exits; `stop` ends it with SIGTERM. */
function run(node: string, args: string[], env: Record<string, string>): { output: Promise<string>; stop: () => void } {
  const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const output = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject).once('close', () => resolve(out));
  });
  return { output, stop: () => void child.kill('SIGTERM') };
}

/** One cold start of a copy of the built extension (with reporting.cjs beside it, or not): its JSON lines. */
async function coldStart(profile: 'nodejs22.x' | 'nodejs24.x', { withReporting }: { readonly withReporting: boolean }): Promise<Array<Record<string, unknown>>> {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-file-missing-'));
  mkdirSync(join(dir, 'lambda-after-response'));
  copyFileSync(BUNDLE, join(dir, 'lambda-after-response', 'extension.mjs'));
  if (withReporting) copyFileSync(join(dirname(BUNDLE), 'reporting.cjs'), join(dir, 'lambda-after-response', 'reporting.cjs'));
  // Stopped at the release (the loop's next `next`): the summary and EMF lines are written before it, synchronously.
  writeFileSync(join(dir, 'handler.mjs'), `const host = globalThis[Symbol.for('lambda-after-response.host')].protocols[1];
host.enqueue(() => new Promise((resolve) => setTimeout(resolve, 50)), { name: 'job' });
setInterval(() => undefined, 1000);
`);
  let stop = (): void => undefined;
  const api = await runtimeApi(() => stop());
  try {
    const child = run(join(profileTools(profile).nodeDir, 'bin', 'node'), [`--import=${join(dir, 'lambda-after-response', 'extension.mjs')}`, join(dir, 'handler.mjs')], {
      PATH: process.env.PATH ?? '', AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.port}`, AFTER_RESPONSE_METRICS: 'emf',
    });
    stop = child.stop;
    const out = await child.output;
    return out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(['nodejs22.x', 'nodejs24.x'] as const)('on %s, the built layer with AFTER_RESPONSE_METRICS=emf', (profile) => {
  it('writes the EMF line of the invoke with reporting.cjs beside extension.mjs', async () => {
    const lines = await coldStart(profile, { withReporting: true });
    expect(lines.filter((l) => '_aws' in l)).toMatchObject([{ requestId: 'r1', JobsSucceeded: 1 }]);
    expect(lines.filter((l) => l.level === 'ERROR')).toEqual([]);
  });

  it('without reporting.cjs: holds and summarizes the invoke, writes no EMF line, and names the missing file in one ERROR', async () => {
    const lines = await coldStart(profile, { withReporting: false });
    expect(lines.find((l) => l.message === 'after-response summary')).toMatchObject({ requestId: 'r1', enqueued: 1, succeeded: 1 });
    expect(lines.filter((l) => '_aws' in l)).toEqual([]);
    const errors = lines.filter((l) => l.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.errorMessage).toMatch(/^lambda-after-response\/reporting\.cjs did not load: /);
  });
});
