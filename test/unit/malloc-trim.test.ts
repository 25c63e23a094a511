import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMallocTrim, isTrimDue, TRIM_EVERY_INVOKES, TRIM_FIRST_INVOKE, type NativeTrim } from '../../extension/memory/malloc-trim.ts';
import { createLogger, type LogLevel } from '../../shared/log-line.ts';

function setup(options: { level?: LogLevel; load?: () => NativeTrim } = {}) {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: options.level ?? 'INFO', write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  const trims: number[] = [];
  let loads = 0;
  let held = 0;
  let rss = 100 * 1024 * 1024;
  const native: NativeTrim = { mallocTrim: () => (trims.push(held), (rss -= 5 * 1024 * 1024), true) };
  const afterHold = createMallocTrim({
    load: () => (loads++, (options.load ?? (() => native))()),
    logger, rss: () => rss, monoNow: () => held * 10,
  });
  const release = (outcome: unknown = 'settled'): void => (held++, afterHold(outcome, `req-${String(held)}`));
  return { release, trims, records, loads: () => loads };
}

describe('isTrimDue', () => {
  it('is due at 32, 64, 128, 256, then every 256th held invoke, and at no other', () => {
    const due = Array.from({ length: 2_000 }, (_, i) => i + 1).filter(isTrimDue);
    expect(due).toEqual([32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 1792]);
    expect([TRIM_FIRST_INVOKE, TRIM_EVERY_INVOKES]).toEqual([32, 256]);
  });

  it('is never due more often than once in 32 held invokes, for any count', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), (n) => {
      const dueIn = Array.from({ length: 31 }, (_, k) => n + k).filter(isTrimDue);
      expect(dueIn.length).toBeLessThanOrEqual(1);
    }));
  });
});

describe('createMallocTrim', () => {
  it('trims at the scheduled releases only, loading the native module once, at the first trim', () => {
    const { release, trims, loads } = setup();
    for (let i = 0; i < 31; i++) release();
    expect(loads()).toBe(0);
    for (let i = 31; i < 1_024; i++) release();
    expect(trims).toEqual([32, 64, 128, 256, 512, 768, 1024]);
    expect(loads()).toBe(1);
  });

  it('never trims at a release for the deadline: the trim waits for the next release that is not', () => {
    const { release, trims } = setup();
    for (let i = 0; i < 31; i++) release();
    release('deadline'); // the 32nd
    release('deadline');
    expect(trims).toEqual([]);
    release('settled'); // the 34th
    expect(trims).toEqual([34]);
    for (let i = 34; i < 64; i++) release();
    expect(trims).toEqual([34, 64]);
  });

  it('for any sequence of outcomes, trims only at releases that are not for the deadline, at most once per due count', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('settled', 'deadline', undefined, 42), { maxLength: 1_500 }), (outcomes) => {
      const { release, trims } = setup();
      for (const outcome of outcomes) release(outcome);
      const dueSoFar = (n: number): number => Array.from({ length: n }, (_, i) => i + 1).filter(isTrimDue).length;
      for (const at of trims) expect(outcomes[at - 1]).not.toBe('deadline');
      expect(trims.length).toBeLessThanOrEqual(dueSoFar(outcomes.length));
      // A trim due and then a release that is not for the deadline: it happened.
      const firstDue = outcomes.findIndex((o, i) => i + 1 >= TRIM_FIRST_INVOKE && o !== 'deadline');
      if (firstDue >= 0) expect(trims[0]).toBe(firstDue + 1);
    }), { numRuns: 200 });
  });

  it('names a native module that does not load in one WARN, and never loads or trims again', () => {
    const { release, trims, records, loads } = setup({ load: () => { throw new Error('lambda-after-response/malloc-trim-x64.node did not load: ENOENT'); } });
    for (let i = 0; i < 1_024; i++) release();
    expect(loads()).toBe(1);
    expect(trims).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('the memory trim did not load'), errorMessage: expect.stringContaining('malloc-trim-x64.node did not load: ENOENT') })]);
  });

  it('treats a module without mallocTrim as not loaded', () => {
    const { release, records } = setup({ load: () => ({}) as NativeTrim });
    for (let i = 0; i < 64; i++) release();
    expect(records).toEqual([expect.objectContaining({ level: 'WARN', errorMessage: 'it has no mallocTrim function' })]);
  });

  it('a throwing trim is one WARN per trim, and the next scheduled trim tries again', () => {
    let calls = 0;
    const { release, records } = setup({ load: () => ({ mallocTrim: () => { calls++; throw new Error('boom'); } }) });
    for (let i = 0; i < 64; i++) release();
    expect(calls).toBe(2);
    expect(records.map((r) => [r.level, r.heldInvokes, r.requestId, r.errorMessage])).toEqual([['WARN', 32, 'req-32', 'boom'], ['WARN', 64, 'req-64', 'boom']]);
  });

  it('logs each trim at DEBUG with the held count, its duration and the RSS around it, and reads nothing without DEBUG', () => {
    const debug = setup({ level: 'DEBUG' });
    for (let i = 0; i < 32; i++) debug.release();
    expect(debug.records).toEqual([expect.objectContaining({ level: 'DEBUG', requestId: 'req-32', heldInvokes: 32, gaveBack: true, ms: 0, rssBeforeMb: 100, rssAfterMb: 95 })]);
    const info = setup();
    for (let i = 0; i < 32; i++) info.release();
    expect(info.records).toEqual([]);
    expect(info.trims).toEqual([32]);
  });
});
