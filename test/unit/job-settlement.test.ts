// Every job settles once, in its own set: concurrent invokes' job sets (Managed Instances) share the
// engine's settle reactions (shared functions bound to each job's entry, shared/job-set.ts), so a
// job must be counted by its own set, free its own set's slot, and be named under its own request id,
// whatever it throws or resolves with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/host-protocol.ts';
import { InvokeJobs } from '../../extension/core/invoke-jobs.ts';
import { flush, recordingLogger } from './fakes.ts';

type Kind = 'sync' | 'sync-throws' | 'async' | 'async-rejects' | 'promise' | 'promise-rejects';
const KINDS: Kind[] = ['sync', 'sync-throws', 'async', 'async-rejects', 'promise', 'promise-rejects'];
const failing = (kind: Kind): boolean => kind.endsWith('throws') || kind.endsWith('rejects');
const jobSpec = fc.record({ kind: fc.constantFrom(...KINDS), value: fc.anything(), set: fc.nat(2) });

/** A job of `kind` that settles with `value` (a function: after a turn), recording its run under its set's label. */
function jobOf(kind: Kind, value: unknown, ran: string[], label: string): Job {
  if (kind === 'promise') return Promise.resolve(value);
  if (kind === 'promise-rejects') return Promise.reject(value);
  return async () => {
    ran.push(label);
    if (kind === 'sync-throws') throw value;
    await flush(1);
    if (kind === 'async-rejects') throw value;
    return value;
  };
}

describe('concurrent job sets settle each job once, in its own set', () => {
  it('counts, frees slots and names failures per set, whatever each job throws or resolves with', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jobSpec, { maxLength: 24 }), fc.integer({ min: 1, max: 4 }), async (specs, concurrency) => {
        const logger = recordingLogger();
        const ran: string[] = [];
        const sets = [0, 1, 2].map((i) => new InvokeJobs({ requestId: `r${i}`, deadlineMs: Infinity, concurrency, logger, onChange: () => undefined, runInContext: (fn) => fn(), defer: setImmediate }));
        // Interleaved: each set's jobs enqueued among the others', as concurrent invokes do.
        specs.forEach(({ kind, value, set }, i) => sets[set]?.add(jobOf(kind, value, ran, `r${set} job ${i}`), `job ${i}`, 'held'));
        for (const set of sets) set.start();
        for (let turn = 0; turn < 200 && sets.some((set) => set.busy); turn++) await flush();

        sets.forEach((set, i) => {
          const own = specs.map((spec, j) => ({ ...spec, j })).filter((spec) => spec.set === i);
          expect(set.busy).toBe(false); // every slot freed: a limit below the job count leaves none waiting
          expect(set.stats).toEqual({ enqueued: own.length, started: own.length, succeeded: own.filter((s) => !failing(s.kind)).length, failed: own.filter((s) => failing(s.kind)).length, abandoned: 0, neverStarted: 0 });
          const lines = logger.records.filter((r) => r.message === 'job failed' && r.requestId === `r${i}`).map((r) => r.job);
          expect(lines.sort()).toEqual(own.filter((s) => failing(s.kind)).map((s) => `job ${s.j}`).sort());
          expect(ran.filter((label) => label.startsWith(`r${i} `))).toHaveLength(own.filter((s) => !s.kind.startsWith('promise')).length);
        });
        expect(logger.records.filter((r) => r.message === 'job failed')).toHaveLength(specs.filter((s) => failing(s.kind)).length); // once each
      }),
      { numRuns: 80 },
    );
  });
});
