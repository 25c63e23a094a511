import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HELD, StartedJobs, UNHELD, type JobState, type Started } from '../../shared/started-jobs.ts';

/** A started job as shared/job-set.ts makes one. */
const started = (id: number, job: { label: string }, state: JobState): Started<{ label: string }> => ({ id, job, state });

describe('StartedJobs', () => {
  it('keeps counts, start order and each job until it settles, whatever the order of starts, settles and abandons (compaction included)', () => {
    const step = fc.oneof(fc.constant({ op: 'start' as const }), fc.constant({ op: 'start-unheld' as const }), fc.nat().map((n) => ({ op: 'settle' as const, n })), fc.constant({ op: 'abandon' as const }));
    fc.assert(fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const jobs = new StartedJobs<{ label: string }>();
      // The model: unsettled entries in the order the set must list them.
      let model: Array<{ entry: Started<{ label: string }>; state: JobState }> = [];
      let seq = 0;
      for (const s of steps) {
        if (s.op === 'start' || s.op === 'start-unheld') {
          const entry = started(++seq, { label: `job-${seq}` }, s.op === 'start' ? HELD : UNHELD);
          jobs.add(entry);
          model.push({ entry, state: entry.state });
        } else if (s.op === 'settle' && model.length > 0) {
          const at = s.n % model.length;
          const [settled] = model.splice(at, 1);
          expect(jobs.settle(settled!.entry)).toBe(settled!.state === HELD);
        } else if (s.op === 'abandon') {
          const abandoned = model.filter((m) => m.state === HELD);
          expect(jobs.abandonHeld().map(([id]) => id)).toEqual(abandoned.map((m) => m.entry.id));
          model = [...model.filter((m) => m.state !== HELD), ...abandoned.map((m) => ({ entry: m.entry, state: UNHELD }))];
        }
        expect(jobs.held).toBe(model.filter((m) => m.state === HELD).length);
        expect(jobs.unheld).toBe(model.filter((m) => m.state === UNHELD).length);
        expect(jobs.inState(HELD).map((j) => j.label)).toEqual(model.filter((m) => m.state === HELD).map((m) => m.entry.job.label));
        expect(jobs.inState(UNHELD).map((j) => j.label)).toEqual(model.filter((m) => m.state === UNHELD).map((m) => m.entry.job.label));
        for (const m of model) expect(jobs.running(m.entry.id)).toBe(m.entry.job);
      }
    }));
  });

  it('lists an abandoned job after the jobs that held nothing before it', () => {
    const jobs = new StartedJobs<{ label: string }>();
    const held = started(1, { label: 'held' }, HELD);
    jobs.add(held);
    jobs.add(started(2, { label: 'unheld' }, UNHELD));
    jobs.abandonHeld();
    expect(jobs.inState(UNHELD).map((j) => j.label)).toEqual(['unheld', 'held']);
    expect(jobs.settle(held)).toBe(false); // abandoned: it no longer holds
    expect(jobs.unheld).toBe(1);
  });

  it('drops settled jobs from a long-lived set that is never idle, keeping every unsettled one in order', () => {
    const jobs = new StartedJobs<{ label: string }>();
    const entries = Array.from({ length: 64 }, (_, i) => started(i + 1, { label: `job-${i + 1}` }, i % 8 === 0 ? UNHELD : HELD));
    for (const entry of entries) jobs.add(entry);
    const settled = entries.filter((entry, i) => entry.state === HELD && i < 60);
    for (const entry of settled) jobs.settle(entry);
    const left = entries.filter((entry) => !settled.includes(entry));
    expect(jobs.inState(UNHELD).map((j) => j.label)).toEqual(left.filter((e) => e.state === UNHELD).map((e) => e.job.label));
    expect(jobs.inState(HELD).map((j) => j.label)).toEqual(['job-61', 'job-62', 'job-63', 'job-64']);
    for (const entry of left) expect(jobs.running(entry.id)).toBe(entry.job);
    expect(jobs.running(2)).toBeUndefined();
  });
});
