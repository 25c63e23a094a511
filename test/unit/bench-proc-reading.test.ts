// The memory benches' readings of /proc: smaps_rollup's fields, and the file-backed pages a
// process touched (its working set of them) from a smaps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileTouchedKb, parseRollup } from '../../bench/proc-reading.ts';

const ROLLUP = `55b074f3f000-7ffd331bf000 ---p 00000000 00:00 0                          [rollup]
Rss:                1752 kB
Pss_Anon:            112 kB
Shared_Clean:       1600 kB
Anonymous:           112 kB
LazyFree:              0 kB
`;

/** One smaps block: its header line (a file path, a bracketed name or none) and its fields. */
const block = (header: string, fields: Record<string, number>): string =>
  `${header}\n${Object.entries(fields).map(([k, v]) => `${k}:${' '.repeat(16 - k.length)}${String(v)} kB`).join('\n')}\nVmFlags: rd ex mr mw me\n`;

describe('parseRollup', () => {
  it("reads every `Field: N kB` line, none of the header's", () => {
    expect(parseRollup(ROLLUP)).toEqual({ Rss: 1752, Pss_Anon: 112, Shared_Clean: 1600, Anonymous: 112, LazyFree: 0 });
  });
});

describe('fileTouchedKb', () => {
  it("sums a file mapping's referenced pages less its copied-on-write ones; not anonymous or bracketed mappings", () => {
    const smaps = [
      block('55d0c0000000-55d0c4000000 r-xp 00000000 fd:01 123 /var/lang/bin/node', { Rss: 9000, Referenced: 4000, Anonymous: 0 }),
      block('55d0c4000000-55d0c4100000 rw-p 04000000 fd:01 123 /var/lang/bin/node', { Rss: 300, Referenced: 300, Anonymous: 200 }),
      block('7f0000000000-7f0001000000 rw-p 00000000 00:00 0 ', { Rss: 5000, Referenced: 5000, Anonymous: 5000 }),
      block('55d0c5000000-55d0c6000000 rw-p 00000000 00:00 0                          [heap]', { Rss: 800, Referenced: 800, Anonymous: 800 }),
    ].join('');
    expect(fileTouchedKb(smaps)).toBe(4000 + 100);
  });

  it('any mappings: never negative, never more than the file mappings referenced', () => {
    const mapping = fc.record({ file: fc.boolean(), referenced: fc.nat(100_000), anonymous: fc.nat(100_000) });
    fc.assert(fc.property(fc.array(mapping, { maxLength: 20 }), (maps) => {
      const smaps = maps.map((m, i) => block(`${(i * 0x1000).toString(16)}-${((i + 1) * 0x1000).toString(16)} r--p 00000000 00:00 0 ${m.file ? `/lib/x${String(i)}.so` : ''}`, { Referenced: m.referenced, Anonymous: m.anonymous })).join('');
      const kb = fileTouchedKb(smaps);
      const bound = maps.filter((m) => m.file).reduce((sum, m) => sum + m.referenced, 0);
      expect(kb).toBeGreaterThanOrEqual(0);
      expect(kb).toBeLessThanOrEqual(bound);
      expect(kb).toBe(maps.filter((m) => m.file).reduce((sum, m) => sum + Math.max(0, m.referenced - m.anonymous), 0));
    }));
  });
});
