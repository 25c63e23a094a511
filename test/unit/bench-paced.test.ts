// The paced rounds behind figure 6's steady-rate rows (bench/fig-memory-paced.ts): every step runs
// once a round, the order rotated, and the achieved rate is reported.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { paced } from '../../bench/fig-memory-paced.ts';

describe('paced rounds', () => {
  test('run every step once a round, rotating which goes first, for any number of rounds and steps', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 4 }), async (rounds, stepCount) => {
      const calls: number[] = [];
      const steps = Array.from({ length: stepCount }, (_, k) => async (): Promise<void> => void calls.push(k));
      const rate = await paced(rounds, 0, steps);
      expect(calls).toEqual(Array.from({ length: rounds * stepCount }, (_, n) => (Math.floor(n / stepCount) + (n % stepCount)) % stepCount));
      if (rounds > 0) expect(rate).toBeGreaterThan(0);
    }), { numRuns: 60 });
  });

  test('wait for a round that is not yet due, and report fewer rounds a second for it', async () => {
    const fast = await paced(3, 0, [async () => undefined]);
    const slow = await paced(3, 20, [async () => undefined]);
    expect(slow).toBeLessThan(fast);
    expect(slow).toBeLessThanOrEqual(3 / 0.04); // round 3 starts no earlier than 40 ms after the first
  });
});
