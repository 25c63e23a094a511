// The memory trim under RIE, both profiles: at the release of the 32nd and 64th held invoke the
// extension calls glibc's malloc_trim(0) through the layer's native module (memory/malloc-trim.ts),
// before the `next` that releases the invoke; `AFTER_RESPONSE_MALLOC_TRIM=false` never does; a
// layer deployed without the module says so once and holds jobs as before.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../rig/sandbox.ts';
import type { Sandbox } from '../rig/types.ts';
import { APP_DIR, extensionLogs, LAYER_DIR, PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';

const TRIM = "malloc_trim(0) at an invoke's release";

async function invokes(box: Sandbox, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await box.invoke({});
    expect(result.status).toBe(200);
    ids.push(result.requestId ?? '');
  }
  return ids;
}

/** A copy of the built layer without its native modules: a layer not deployed whole. */
function layerWithoutNative(): string {
  const dir = mkdtempSync(join(tmpdir(), 'layer-no-native-'));
  cpSync(LAYER_DIR, dir, { recursive: true });
  const files = join(dir, 'lambda-after-response');
  for (const file of readdirSync(files)) if (file.endsWith('.node')) rmSync(join(files, file));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.each(PROFILES)('on %s, the memory trim', (profile) => {
  describe('by default (DEBUG)', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'trim.handler', env: { AFTER_RESPONSE_LOG_LEVEL: 'DEBUG' } }));

    it('trims at the release of the 32nd and 64th held invoke, after the hold and before the release', async () => {
      const box = await sandbox();
      const ids = await invokes(box, 65);
      const logs = extensionLogs(box.logs());
      const trims = logs.filter((l) => l.message === TRIM);
      expect(trims.map((t) => t.heldInvokes)).toEqual([32, 64]);
      expect(trims.map((t) => t.requestId)).toEqual([ids[31], ids[63]]);
      for (const t of trims) expect(t).toMatchObject({ level: 'DEBUG', gaveBack: expect.any(Boolean), ms: expect.any(Number), rssBeforeMb: expect.any(Number), rssAfterMb: expect.any(Number) });
      // In the 32nd invoke: its summary (the hold settled), then the trim, then the loop's `released` line.
      const at = (predicate: (l: Record<string, unknown>) => boolean): number => logs.findIndex(predicate);
      const summary = at((l) => l.message === 'after-response summary' && l.requestId === ids[31]);
      const trim = at((l) => l.message === TRIM && l.heldInvokes === 32);
      const released = at((l) => l.message === 'released' && l.requestId === ids[31]);
      expect(summary).toBeGreaterThanOrEqual(0);
      expect([summary < trim, trim < released]).toEqual([true, true]);
      expect(logs.filter((l) => l.level === 'WARN' || l.level === 'ERROR')).toEqual([]);
    });
  });

  describe('with AFTER_RESPONSE_MALLOC_TRIM=false', () => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'trim.handler', env: { AFTER_RESPONSE_LOG_LEVEL: 'DEBUG', AFTER_RESPONSE_MALLOC_TRIM: 'false' } }));

    it('never trims', async () => {
      const box = await sandbox();
      await invokes(box, 33);
      const logs = extensionLogs(box.logs());
      expect(logs.filter((l) => l.message === TRIM || String(l.message).includes('memory trim'))).toEqual([]);
      expect(logs.filter((l) => l.message === 'released')).toHaveLength(33);
    });
  });

  describe('in a layer deployed without its native module', () => {
    const dir = layerWithoutNative();
    const sandbox = sandboxFor(() => startSandbox({ profile, taskDir: APP_DIR, handler: 'trim.handler', layerDir: dir, env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' } }));

    it('says so in one WARN naming the file, and holds every invoke\'s job as before', async () => {
      const box = await sandbox();
      const ids = await invokes(box, 65);
      const logs = extensionLogs(box.logs());
      const warns = logs.filter((l) => l.level === 'WARN' || l.level === 'ERROR');
      expect(warns).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('the memory trim did not load'), errorMessage: expect.stringContaining(`malloc-trim-${process.arch}.node did not load`) })]);
      const settled = logs.filter((l) => l.message === 'after-response summary' && l.outcome === 'settled' && l.succeeded === 1);
      expect(settled.map((l) => l.requestId)).toEqual(ids);
    });
  });
});
