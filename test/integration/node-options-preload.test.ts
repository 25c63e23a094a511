// The layer without its exec wrapper: NODE_OPTIONS=--import=/opt/lambda-after-response/extension.mjs
// set on the function saves the wrapper's `sh` exec at every cold start (~1 ms with dash, ~2 ms
// with bash, measured; docs/how-it-works.md, "Performance"). It must behave as with the wrapper: one registration,
// every invoke held until its job is done.
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../rig/sandbox.ts';
import { APP_DIR, clearMarks, extensionLogs, LAYER_DIR, PROFILES, readMark, sandboxFor } from './product-helpers.ts';

describe.each(PROFILES)('on %s, the extension preloaded through NODE_OPTIONS alone', (profile) => {
  const env = { NODE_OPTIONS: '--import=/opt/lambda-after-response/extension.mjs' };
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
