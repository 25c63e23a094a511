// The layer without its exec wrapper: NODE_OPTIONS=--import=/opt/lambda-after-response/extension.mjs
// set on the function saves the wrapper's `sh` exec at every cold start (~1 ms with dash, ~2 ms
// with bash, measured; docs/how-it-works.md, "Performance"). It must behave as with the wrapper: one registration,
// every invoke held until its job is done. Observability layers (OpenTelemetry's, Datadog's, New
// Relic's) own AWS_LAMBDA_EXEC_WRAPPER already: beside a wrapper that appends its own preload to
// NODE_OPTIONS the extension loads and holds; one that overwrites NODE_OPTIONS drops it, and the
// client's WARN names that cause.
import { chmodSync, cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDir } from '../rig/run-dir.ts';
import { startSandbox, type Sandbox } from '../rig/sandbox.ts';
import { APP_DIR, clearMarks, extensionLogs, LAYER_DIR, PROFILES, readMark, sandboxFor } from './product-helpers.ts';

const PRELOAD_OPTION = '--import=/opt/lambda-after-response/extension.mjs';

/**
 * The built layer plus a stand-in observability layer in one /opt: its preload (`obs-init.mjs`,
 * prints a line) and two exec wrappers, one appending the preload to NODE_OPTIONS (as
 * OpenTelemetry's `otel-handler` does: `export NODE_OPTIONS="${NODE_OPTIONS} --import /opt/init.mjs"`),
 * one overwriting NODE_OPTIONS; and `chain`, which runs the overwriting one, then ours.
 */
function layerWithObservabilityWrapper(): string {
  const dir = mkdtempSync(join(runDir(), 'layer-'));
  chmodSync(dir, 0o755);
  cpSync(LAYER_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'obs-init.mjs'), "process.stdout.write('obs-init: loaded\\n');\n");
  const wrapper = (nodeOptions: string): string => `#!/bin/sh\nexport NODE_OPTIONS="${nodeOptions}"\nexec "$@"\n`;
  writeFileSync(join(dir, 'obs-append'), wrapper('${NODE_OPTIONS} --import /opt/obs-init.mjs'), { mode: 0o755 });
  writeFileSync(join(dir, 'obs-overwrite'), wrapper('--import /opt/obs-init.mjs'), { mode: 0o755 });
  // The way out with an overwriting wrapper: chain the wrappers, theirs first, so ours adds the preload last.
  writeFileSync(join(dir, 'chain'), '#!/bin/sh\nexec /opt/obs-overwrite /opt/after-response "$@"\n', { mode: 0o755 });
  return dir;
}

describe.each(PROFILES)('on %s, the extension preloaded through NODE_OPTIONS alone', (profile) => {
  const env = { NODE_OPTIONS: PRELOAD_OPTION };
  const sandbox = sandboxFor(() => startSandbox({ profile, taskDir: APP_DIR, handler: 'plain.handler', layerDir: LAYER_DIR, env, timeoutSeconds: 5 }));

  it('registers once and holds every invoke until its job is done', async () => {
    const box = await sandbox();
    for (let i = 0; i < 2; i++) {
      clearMarks(box, 'plain-done');
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.json()).toMatchObject({ answer: 42 });
      expect(readMark(box, 'plain-done')?.at).toBeLessThanOrEqual(performance.timeOrigin + (result.extensionReleasedAt ?? NaN));
    }
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toHaveLength(1);
    expect(extensionLogs(box.logs()).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  });
});

describe.each(PROFILES)('on %s, NODE_OPTIONS preload beside an observability layer\'s exec wrapper', (profile) => {
  const start = (wrapper: string, env: Record<string, string> = { NODE_OPTIONS: PRELOAD_OPTION }) => () => startSandbox({
    profile, taskDir: APP_DIR, handler: 'plain.handler', layerDir: layerWithObservabilityWrapper(), timeoutSeconds: 5,
    env: { AWS_LAMBDA_EXEC_WRAPPER: `/opt/${wrapper}`, ...env },
  });
  const appending = sandboxFor(start('obs-append'));
  const overwriting = sandboxFor(start('obs-overwrite'));
  const chained = sandboxFor(start('chain', {}));

  /** Both preloads load; the extension registers once and holds every invoke until its job is done. */
  async function expectHeld(box: Sandbox): Promise<void> {
    for (let i = 0; i < 2; i++) {
      clearMarks(box, 'plain-done');
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.json()).toMatchObject({ answer: 42 });
      expect(readMark(box, 'plain-done')?.at).toBeLessThanOrEqual(performance.timeOrigin + (result.extensionReleasedAt ?? NaN));
    }
    expect(box.logs()).toContain('obs-init: loaded');
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toHaveLength(1);
    expect(extensionLogs(box.logs()).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  }

  it('a wrapper that appends its preload: both load, the extension registers once and holds every invoke until its job is done', async () => {
    await expectHeld(await appending());
  });

  it('an overwriting wrapper chained before ours (AWS_LAMBDA_EXEC_WRAPPER runs `their-wrapper /opt/after-response "$@"`): held again', async () => {
    await expectHeld(await chained());
  });

  it('a wrapper that overwrites NODE_OPTIONS: no extension, nothing held, and the client\'s WARN names the replaced NODE_OPTIONS', async () => {
    const box = await overwriting();
    const result = await box.invoke({ dir: '/tmp' });
    expect(result.json()).toMatchObject({ answer: 42 });
    expect(box.logs()).toContain('obs-init: loaded');
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toEqual([]);
    expect(result.extensionReleasedAt).toBeUndefined();
    const warnings = extensionLogs(box.logs()).filter((l) => l.level === 'WARN').map((l) => l.message);
    expect(warnings).toEqual([
      `no lambda-after-response extension is loaded: jobs run in-process and are not held, so Lambda may freeze them. AWS_LAMBDA_EXEC_WRAPPER is another wrapper, "/opt/obs-overwrite": load the extension with NODE_OPTIONS=${PRELOAD_OPTION}; if that is set, the wrapper replaced NODE_OPTIONS (now "--import /opt/obs-init.mjs") instead of appending to it: chain the wrappers instead (a script running \`exec /opt/obs-overwrite /opt/after-response "$@"\` as AWS_LAMBDA_EXEC_WRAPPER)`,
    ]);
  });
});
