import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotList } from '../../extension/core/slot-list.ts';

describe('SlotList', () => {
  it('behaves as a set under any sequence of adds and deletes (against a Set)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { maxLength: 60 }), (ops) => {
      const list = new SlotList<{ id: number }>();
      const model = new Set<number>();
      const items = Array.from({ length: 6 }, (_, id) => ({ id }));
      for (const [add, id] of ops) {
        const item = items[id] ?? { id };
        if (add) {
          list.add(item);
          model.add(id);
        } else {
          list.delete(item);
          model.delete(id);
        }
        expect(list.values().map((i) => i.id).sort()).toEqual([...model].sort());
        expect(list.has(item)).toBe(model.has(id));
        expect(list.find((i) => i.id === id)).toBe(model.has(id) ? item : undefined);
      }
    }));
  });

  it('reuses a freed slot instead of growing (no new storage per add/delete cycle)', () => {
    const list = new SlotList<string>();
    list.add('a');
    list.add('b');
    list.delete('a');
    list.add('c');
    list.delete('b');
    list.add('d');
    expect(list.values()).toEqual(['c', 'd']);
  });

  it('hands out a copy: changing the list while iterating its values is safe', () => {
    const list = new SlotList<string>();
    for (const s of ['a', 'b', 'c']) list.add(s);
    const seen: string[] = [];
    for (const s of list.values()) {
      seen.push(s);
      list.delete(s);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(list.values()).toEqual([]);
  });
});
