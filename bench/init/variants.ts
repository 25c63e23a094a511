// The cold-start variants that split the layer's init cost into causes, each one step from the
// previous: the wrapper script with an empty preload, the extension through NODE_OPTIONS alone
// (no `sh`), the extension through the wrapper, and the client imported by the handler.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from '../../test/rig/run-dir.ts';
import { startSandbox, type Sandbox } from '../../test/rig/sandbox.ts';
import { FIXTURES, LAYER_DIR } from '../sandboxes.ts';
import type { Profile } from '../types.ts';

export type VariantName = 'baseline' | 'wrapper+empty preload' | 'NODE_OPTIONS extension' | 'wrapper extension' | 'wrapper extension+client' | 'reference extension+client';

export interface Variant {
  readonly name: VariantName;
  readonly handler: string;
  /** Which copy of the layer is at /opt, if any. */
  readonly layer: 'none' | 'full' | 'empty-preload' | 'reference';
  /** How the preload gets in: the exec wrapper (as documented) or NODE_OPTIONS set on the function. */
  readonly via: 'none' | 'wrapper' | 'node-options';
}

export const VARIANTS: readonly Variant[] = [
  { name: 'baseline', handler: 'init-probe.handler', layer: 'none', via: 'none' },
  { name: 'wrapper+empty preload', handler: 'init-probe.handler', layer: 'empty-preload', via: 'wrapper' },
  { name: 'NODE_OPTIONS extension', handler: 'init-probe.handler', layer: 'full', via: 'node-options' },
  { name: 'wrapper extension', handler: 'init-probe.handler', layer: 'full', via: 'wrapper' },
  { name: 'wrapper extension+client', handler: 'init-probe-client.handler', layer: 'full', via: 'wrapper' },
];

/** Another build of the layer (`--reference DIR`), to measure a change A/B in the same run. */
export const REFERENCE: Variant = { name: 'reference extension+client', handler: 'init-probe-client.handler', layer: 'reference', via: 'wrapper' };
let referenceDir: string | undefined;

export function setReference(dir: string): void {
  referenceDir = join(mkdtempSync(join(runDir(), 'init-reference-')), 'layer');
  cpSync(dir, referenceDir, { recursive: true });
}

const PRELOAD = '--import=/opt/lambda-after-response/extension.mjs';
let layers: { full: string; empty: string } | undefined;

/** Private copies of dist/layer (a concurrent build swaps dist/): as built, and with an empty extension. */
export function layerPaths(): { full: string; empty: string } {
  if (layers) return layers;
  const base = mkdtempSync(join(runDir(), 'init-layers-'));
  const full = join(base, 'full');
  const empty = join(base, 'empty');
  cpSync(LAYER_DIR, full, { recursive: true });
  cpSync(LAYER_DIR, empty, { recursive: true });
  writeFileSync(join(empty, 'lambda-after-response', 'extension.mjs'), 'export {};\n');
  layers = { full, empty };
  return layers;
}

export interface StartOptions {
  readonly memorySizeMb: number;
  /** Extra NODE_OPTIONS (e.g. --cpu-prof); the wrapper keeps them behind its preload. */
  readonly nodeOptions?: string;
}

export function startVariant(profile: Profile, v: Variant, options: StartOptions): Promise<Sandbox> {
  const env: Record<string, string> = {};
  const nodeOptions = [v.via === 'node-options' ? PRELOAD : '', options.nodeOptions ?? ''].filter(Boolean).join(' ');
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  if (v.via === 'wrapper') env.AWS_LAMBDA_EXEC_WRAPPER = '/opt/after-response';
  const layerDir = v.layer === 'none' ? undefined : v.layer === 'full' ? layerPaths().full : v.layer === 'reference' ? referenceDir : layerPaths().empty;
  return startSandbox({
    profile, taskDir: FIXTURES, handler: v.handler, freeze: false, timeoutSeconds: 30,
    memorySizeMb: options.memorySizeMb, env, ...(layerDir ? { layerDir } : {}),
  });
}
