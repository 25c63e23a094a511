// The host's enqueue runs per job in its own `try` (composition.ts), not a guarded closure: a
// failure inside it must still go through the guard — logged, counted, never thrown into the
// handler — whatever value was thrown.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHost } from '../../extension/composition.ts';
import { createGuard } from '../../extension/runtime-hooks/guard.ts';
import { recordingLogger, trackerSetup } from './fakes.ts';

describe('the host enqueue, failing inside', () => {
  it('never throws into the caller, for any thrown value; the guard logs the first at ERROR, later ones at DEBUG', () => {
    fc.assert(fc.property(fc.anything(), fc.integer({ min: 1, max: 4 }), (thrown, times) => {
      const { tracker } = trackerSetup();
      const logger = recordingLogger();
      const host = createHost(tracker, createGuard(logger), { recordJob: () => { throw thrown; } });
      for (let i = 0; i < times; i++) expect(() => host.enqueue(() => undefined, { name: `job-${String(i)}` })).not.toThrow();
      const lines = logger.records.filter((r) => r.hook === 'enqueue');
      expect(lines.map((r) => [r.level, r.failures])).toEqual(Array.from({ length: times }, (_, i) => [i === 0 ? 'ERROR' : 'DEBUG', i + 1]));
    }));
  });

  it('enqueues as before when nothing fails: the job runs', async () => {
    const { tracker } = trackerSetup({}, 'unheld');
    const logger = recordingLogger();
    const host = createHost(tracker, createGuard(logger));
    let ran = false;
    host.enqueue(() => { ran = true; }, { name: 'ok' });
    await host.drain();
    expect(ran).toBe(true);
    expect(logger.records.filter((r) => r.hook !== undefined)).toEqual([]);
  });
});
