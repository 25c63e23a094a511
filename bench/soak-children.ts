// Soak, part 2: socket children. Node children of the runtime, one after another, each handing
// one job to the extension over its socket (one connection each), in three modes: held (the
// extension registered: the reference), registration refused and no Runtime API (nothing held).
// The runtime process is read after a gc once the warm-up children are done and again after
// `children` more: what stays per connection is the growth divided by their number.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { profileTools } from '../test/rig/tools.ts';
import { readFunction, type Reading } from './proc-reading.ts';
import { FIXTURES, invokeOk, layerSnapshot, withFunctions } from './sandboxes.ts';
import type { Profile } from './types.ts';

export const CHILDREN_MODES = ['held (registered)', 'registration refused', 'no Runtime API'] as const;
export type ChildrenMode = (typeof CHILDREN_MODES)[number];

export interface ChildrenResult {
  profile: Profile;
  mode: ChildrenMode;
  warm: number;
  children: number;
  before: Reading; // after the warm-up children
  after: Reading; // after `children` more
}

export interface ChildrenOptions {
  warm: number;
  children: number;
  log: (line: string) => void;
}

/** Children per invoke under the rig (~70-90 ms each on a busy 2-core machine). */
const BATCH = 100;

const refused = [{ path: /\/extension\/register$/, action: { kind: 'status' as const, status: 403, body: '{"errorType":"Extension.RegistrationClosed","errorMessage":"soak"}' } }];

export async function soakChildren(profile: Profile, mode: ChildrenMode, o: ChildrenOptions): Promise<ChildrenResult> {
  const result = mode === 'no Runtime API' ? await locally(profile, o) : await underRig(profile, mode, o);
  const perConnection = ((result.after.heapMb - result.before.heapMb) * 1024) / o.children;
  o.log(`  soak ${profile} ${mode}: heap +${perConnection.toFixed(2)} KB per connection over ${o.children} children; fds ${result.before.fds} -> ${result.after.fds}`);
  return result;
}

async function underRig(profile: Profile, mode: ChildrenMode, o: ChildrenOptions): Promise<ChildrenResult> {
  const spec = { handler: 'soak-children.handler', layer: true, freeze: true, timeoutSeconds: 300, ...(mode === 'registration refused' ? { faults: refused } : {}) };
  return withFunctions(profile, [spec], async ([box]) => {
    if (!box) throw new Error('no sandbox');
    const forkChildren = async (n: number): Promise<void> => {
      for (let left = n; left > 0; left -= BATCH) await invokeOk(box, { children: Math.min(BATCH, left) });
    };
    await forkChildren(o.warm);
    const before = await readFunction(box);
    await forkChildren(o.children);
    return { profile, mode, warm: o.warm, children: o.children, before, after: await readFunction(box) };
  });
}

/**
 * A local run: the profile's Node with the layer's preload in NODE_OPTIONS and no
 * AWS_LAMBDA_RUNTIME_API (the extension then runs unheld, jobs detached), its node_modules in NODE_PATH.
 */
async function locally(profile: Profile, o: ChildrenOptions): Promise<ChildrenResult> {
  const layer = layerSnapshot();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_OPTIONS: `--import=${join(layer, 'lambda-after-response', 'extension.mjs')}`,
    NODE_PATH: join(layer, 'nodejs', 'node_modules'),
  };
  const node = join(profileTools(profile).nodeDir, 'bin', 'node');
  const output = await run(node, ['--expose-gc', join(FIXTURES, 'soak-children-local.mjs'), String(o.warm), String(o.children)], env);
  const readings = output.split('\n').flatMap((line) => parseReading(line));
  const [before, after] = readings;
  if (!before || !after) throw new Error(`soak-children-local.mjs printed no readings:\n${output.slice(-2000)}`);
  return { profile, mode: 'no Runtime API', warm: o.warm, children: o.children, before, after };
}

function parseReading(line: string): Reading[] {
  try {
    const r = JSON.parse(line) as { children?: unknown; heapUsed?: unknown; rssKb?: unknown; fds?: unknown };
    if (typeof r.children !== 'number' || typeof r.heapUsed !== 'number' || typeof r.rssKb !== 'number' || typeof r.fds !== 'number') return [];
    return [{ heapMb: r.heapUsed / (1024 * 1024), rssMb: r.rssKb / 1024, fds: r.fds }];
  } catch {
    return []; // the extension's own log lines, or anything else
  }
}

function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${String(code)}:\n${out.slice(-2000)}`))));
  });
}
