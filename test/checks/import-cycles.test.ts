// No import cycle among the sources, type-only imports included (test/checks/import-cycles.ts
// reads every relative import as TypeScript does), and the finder does find one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findCycles, importGraph } from './import-cycles.ts';

test('client/, extension/ and shared/ have no import cycle (type-only imports count)', () => {
  const graph = importGraph(join(import.meta.dirname, '..', '..'), ['client', 'extension', 'shared']);
  expect(graph.size).toBeGreaterThan(50); // it did read the sources
  expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
});

test('a cycle of type-only imports and re-exports is found', () => {
  const root = mkdtempSync(join(tmpdir(), 'lar-cycles-'));
  try {
    mkdirSync(join(root, 'src', 'sub'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), "import type { B } from './sub/b.ts';\nexport type A = B;\n");
    writeFileSync(join(root, 'src', 'sub', 'b.ts'), "export type { A as B } from '../a.ts';\n");
    expect(findCycles(importGraph(root, ['src']))).toEqual([['src/a.ts', 'src/sub/b.ts', 'src/a.ts']]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the finder reports each cycle it meets, and none in a tree', () => {
  const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
  expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  expect(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
});
