// A function's own worker threads (outside Managed Instances) load the preload again; the
// extension must recognise them as workers (extension/startup.ts isMainThread, which avoids
// loading node:worker_threads) and stay silent there, whether or not they inherited the marker.
import { describe, expect, it } from 'vitest';
import { extensionLogs, PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';

describe.each(PROFILES)('on %s, a function that starts worker threads', (profile) => {
  const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'user-worker.handler', freeze: false }));

  it('gets the host on the main thread only, one registration, and no log line from the workers', async () => {
    const box = await sandbox();
    const mark = box.logMark();
    const result = await box.invoke({});
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({
      main: 'object',
      defaultEnv: { host: 'undefined', marker: String(result.runtimePid) },
      ownEnv: { host: 'undefined', marker: null },
    });
    expect(box.calls().filter((c) => c.kind === 'extension-register')).toHaveLength(1);
    expect(extensionLogs(box.logsSince(mark)).filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
  });
});
