import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDeadlineTimers } from '../../extension/core/deadline-timers.ts';
import type { JobContext } from '../../shared/host-protocol.ts';
import { flush, manualTimers, runtimeInvoke, trackerSetup } from './fakes.ts';

type Step =
  | { readonly op: 'at'; readonly offset: number }
  | { readonly op: 'cancel'; readonly pick: number }
  | { readonly op: 'advance'; readonly ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('at' as const), offset: fc.integer({ min: -50, max: 500 }) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300 }) }),
);

describe('DeadlineTimers: every invoke\'s deadline timer on one timer', () => {
  it('runs each entry once, at its time (at once when it has passed), never a cancelled one, whatever the order of sets, cancels and time passing', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const clock = manualTimers(1_000_000);
      const timers = createDeadlineTimers({ setTimer: clock.setTimer, wallNow: clock.now });
      const entries: Array<{ at: number; setAt: number; cancel: () => void; cancelled: boolean; ranAt: number[] }> = [];
      const ran: number[] = [];
      for (const s of steps) {
        if (s.op === 'at') {
          const entry = { at: clock.now() + s.offset, setAt: clock.now(), cancel: (): void => undefined, cancelled: false, ranAt: [] as number[] };
          const index = entries.length;
          entry.cancel = timers.at(entry.at, () => {
            entry.ranAt.push(clock.now());
            ran.push(index);
          });
          entries.push(entry);
        } else if (s.op === 'cancel' && entries.length > 0) {
          const entry = entries[s.pick % entries.length];
          if (entry && entry.ranAt.length === 0) {
            entry.cancel();
            entry.cancelled = true;
          }
        } else if (s.op === 'advance') {
          clock.advance(s.ms);
        }
      }
      clock.advance(1_000); // past every entry's time
      for (const entry of entries) {
        // As a timer set when it was set for `at − now` (0 when past) would: once, at max(at, when set).
        expect(entry.ranAt).toEqual(entry.cancelled ? [] : [Math.max(entry.at, entry.setAt)]);
      }
      const times = ran.map((i) => entries[i]?.ranAt[0] ?? NaN);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }), { numRuns: 2000 });
  });

  it('sets the one timer again only for an earlier entry: an invoke released before its deadline costs no timer of its own', () => {
    const clock = manualTimers(1_000_000);
    let set = 0;
    const timers = createDeadlineTimers({ setTimer: (run, ms) => (set++, clock.setTimer(run, ms)), wallNow: clock.now });
    for (let i = 0; i < 100; i++) {
      const cancel = timers.at(clock.now() + 3_000, () => undefined); // a 3 s deadline, released 10 ms later
      clock.advance(10);
      cancel();
    }
    // Set once, for the first invoke: every later one's deadline is later, and its timer had not fired yet.
    expect(set).toBe(1);
    clock.advance(3_000);
    expect(set).toBe(1); // fired with nothing due and nothing left: not set again
  });

  it('sets no timer for a non-finite deadline', () => {
    const clock = manualTimers();
    let set = 0;
    const timers = createDeadlineTimers({ setTimer: (run, ms) => (set++, clock.setTimer(run, ms)), wallNow: clock.now });
    let ran = false;
    timers.at(Number.POSITIVE_INFINITY, () => (ran = true));
    timers.at(Number.NaN, () => (ran = true));
    clock.advance(1e9);
    expect({ set, ran }).toEqual({ set: 0, ran: false });
  });
});

describe('an invoke\'s deadline, while the one timer is still set for an earlier invoke released before its own', () => {
  it('aborts the later invoke\'s jobs at its own deadline − margin, and releases it then', async () => {
    const { tracker, timers, logger, deadline } = trackerSetup({ graceMs: 0 });
    await runtimeInvoke(tracker, 'r1', deadline, () => {
      tracker.enqueue(() => undefined, 'quick');
      tracker.responsePosted('r1', 'returned');
    });
    expect(await tracker.hold({ requestId: 'r1', deadlineMs: deadline })).toBe('settled');
    timers.advance(100);
    const later = timers.now() + 3000; // r1's timer (deadline − 500) is still set, 100 ms before r2's
    const abortedAt: number[] = [];
    await runtimeInvoke(tracker, 'r2', later, () => {
      tracker.enqueue(({ signal }: JobContext) => new Promise<void>((resolve) => signal.addEventListener('abort', () => {
        abortedAt.push(timers.now());
        resolve();
      })), 'waits-for-abort');
      tracker.responsePosted('r2', 'returned');
    });
    const released = tracker.hold({ requestId: 'r2', deadlineMs: later });
    await flush();
    timers.advance(2450); // past r1's deadline − margin: nothing due then
    expect(abortedAt).toEqual([]);
    timers.advance(100);
    expect(abortedAt).toEqual([later - 500]);
    await flush();
    expect(await released).toBe('deadline');
    expect(logger.records.find((r) => String(r.message).startsWith('deadline near'))).toMatchObject({ requestId: 'r2', running: ['waits-for-abort'] });
  });
});
