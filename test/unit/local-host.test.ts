// Without the layer (client/hosts/local-host.ts) jobs run on the extension's job engine
// (shared/job-set.ts), as an invoke's jobs run with it (extension/core/invoke-jobs.ts): the same
// order and failure lines, one context per set, for any mix of jobs and any value they throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Job, JobContext } from '../../shared/host-protocol.ts';
import { createLocalHost } from '../../client/hosts/local-host.ts';
import { InvokeJobs } from '../../extension/core/invoke-jobs.ts';
import { flush, recordingLogger } from './fakes.ts';

type Kind = 'sync' | 'sync-throws' | 'async' | 'async-rejects' | 'promise' | 'promise-rejects';
const spec = fc.array(fc.record({ kind: fc.constantFrom<Kind>('sync', 'sync-throws', 'async', 'async-rejects', 'promise', 'promise-rejects'), value: fc.anything() }), { maxLength: 12 });

/** The jobs of `specs`, each recording when it runs and with which context. */
function jobsOf(specs: ReadonlyArray<{ kind: Kind; value: unknown }>, events: string[], contexts: JobContext[]): Job[] {
  return specs.map(({ kind, value }, i): Job => {
    if (kind === 'promise') return Promise.resolve().then(() => void events.push(`promise ${i}`));
    if (kind === 'promise-rejects') return Promise.reject(value);
    return async (context: JobContext) => {
      contexts.push(context);
      events.push(`run ${i}`);
      if (kind === 'sync-throws') throw value;
      await Promise.resolve();
      if (kind === 'async-rejects') throw value;
    };
  });
}

describe('the in-process host runs jobs like the extension (one job engine)', () => {
  it('same start order, one context per set, and one failure line per failed job, by name, whatever it throws', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (specs) => {
        const local = { events: [] as string[], contexts: [] as JobContext[], logger: recordingLogger() };
        const host = createLocalHost({ logger: local.logger });
        jobsOf(specs, local.events, local.contexts).forEach((job, i) => host.enqueue(job, { name: `job ${i}` }));
        expect(local.events.filter((e) => e.startsWith('run'))).toEqual([]); // functions start after the current turn
        await host.drain();

        const layer = { events: [] as string[], contexts: [] as JobContext[], logger: recordingLogger() };
        const jobs = new InvokeJobs({ requestId: 'r1', deadlineMs: Infinity, concurrency: Infinity, logger: layer.logger, onChange: () => undefined, runInContext: (fn) => fn(), defer: setImmediate });
        jobsOf(specs, layer.events, layer.contexts).forEach((job, i) => jobs.add(job, `job ${i}`, 'held'));
        jobs.start();
        while (jobs.busy) await flush();

        expect(local.events).toEqual(layer.events);
        const failed = (records: Array<Record<string, unknown>>): unknown[] => records.filter((r) => r.message === 'job failed').map((r) => r.job).sort();
        expect(failed(local.logger.records)).toEqual(failed(layer.logger.records));
        expect(failed(local.logger.records)).toHaveLength(specs.filter((s) => s.kind.endsWith('throws') || s.kind.endsWith('rejects')).length);
        expect(new Set(local.contexts).size).toBeLessThanOrEqual(1); // as an invoke's jobs share one
        for (const context of local.contexts) expect([context.requestId, context.deadlineMs, context.signal.aborted]).toEqual(['local', Infinity, false]);
      }),
      { numRuns: 60 },
    );
  });

  it('drain waits for jobs enqueued while it waits, and for a job a job enqueues', async () => {
    const host = createLocalHost({ logger: recordingLogger() });
    const ran: string[] = [];
    host.enqueue(async () => {
      await flush();
      host.enqueue(async () => {
        await flush();
        ran.push('child');
      }, { name: 'child' });
      ran.push('parent');
    }, { name: 'parent' });
    await host.drain();
    expect(ran).toEqual(['parent', 'child']);
  });

  it("'silent' leaves failures to the caller", async () => {
    const logger = recordingLogger();
    const host = createLocalHost({ logger, reportFailures: 'silent' });
    host.enqueue(() => Promise.reject(new Error('x')), { name: 'quiet' });
    await host.drain();
    expect(logger.records).toEqual([]);
  });
});
