// bench/bundle-coverage.ts's reading of V8's coverage (which functions never ran) and
// bench/bundle-rewrites.ts (bundle-parse's variants) of the bundle (still a module; the rewritten code never runs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneText, unrunFunction } from '../../bench/bundle-rewrites.ts';
import { neverCalled, type ScriptCoverage } from '../../bench/coverage-gaps.ts';

interface Node { count: number; children: Node[] }
const { node: forest } = fc.letrec<{ node: Node[] }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.constant<Node[]>([]), fc.array(fc.record({ count: fc.nat(2), children: tie('node') }), { minLength: 1, maxLength: 3 })),
}));

/** As V8 reports it: a function inside one that never ran never ran either (it was never created). */
const unrunInside = (nodes: readonly Node[], parentRan = true): Node[] => nodes.map((n) => {
  const count = parentRan ? n.count : 0;
  return { count, children: unrunInside(n.children, count > 0) };
});

/** Lays the tree out as V8 would report it: each function's range inside its parent's. */
function layout(nodes: readonly Node[], start: number, out: ScriptCoverage['functions']): number {
  let at = start;
  for (const n of nodes) {
    const begin = at;
    at = layout(n.children, at + 1, out) + 1;
    out.push({ functionName: `f${String(out.length)}`, ranges: [{ startOffset: begin, endOffset: at, count: n.count }] });
  }
  return at;
}

const inside = (r: { startOffset: number; endOffset: number }, g: readonly [number, number, string]): boolean => g[0] <= r.startOffset && r.endOffset <= g[1];

describe('neverCalled', () => {
  it('gives the outermost never-called functions, sorted, disjoint, each never-called function inside one', () => {
    fc.assert(fc.property(forest, fc.boolean(), (nodes, reversed) => {
      const functions: ScriptCoverage['functions'] = [];
      layout(unrunInside(nodes), 0, functions);
      if (reversed) functions.reverse();
      const gaps = neverCalled({ url: 'file:///opt/x.mjs', functions });
      for (let i = 1; i < gaps.length; i++) expect(gaps[i - 1]![1]).toBeLessThanOrEqual(gaps[i]![0]);
      const ranges = functions.map((f) => f.ranges[0]!);
      for (const r of ranges.filter((x) => x.count === 0)) expect(gaps.filter((g) => inside(r, g))).toHaveLength(1);
      for (const g of gaps) {
        expect(ranges.some((r) => r.count === 0 && r.startOffset === g[0] && r.endOffset === g[1])).toBe(true);
        expect(ranges.some((r) => r.count > 0 && inside(r, g) && !(r.startOffset === g[0] && r.endOffset === g[1]))).toBe(false);
      }
    }), { numRuns: 300 });
  });

  it('counts a never-called function nested in another once', () => {
    const fn = (name: string, startOffset: number, endOffset: number, count: number): ScriptCoverage['functions'][number] => ({ functionName: name, ranges: [{ startOffset, endOffset, count }] });
    const gaps = neverCalled({ url: 'x', functions: [fn('', 0, 100, 1), fn('outer', 10, 50, 0), fn('inner', 20, 30, 0), fn('called', 60, 70, 3), fn('', 80, 90, 0)] });
    expect(gaps).toEqual([[10, 50, 'outer'], [80, 90, '(anonymous)']]);
  });
});

describe("bundle-parse's variants", () => {
  const code = 'globalThis.benchRan = import.meta.url; await Promise.resolve();\nexport const x = 1;';
  const load = (source: string): Promise<Record<string, unknown>> => import(`data:text/javascript,${encodeURIComponent(source)}`) as Promise<Record<string, unknown>>;

  it('puts the code in a function that is never called: the module loads, nothing of it runs', async () => {
    const module = await load(unrunFunction(code.replace('export ', '')));
    expect(typeof module.unrun).toBe('function');
    expect('benchRan' in globalThis).toBe(false);
  });

  it('keeps the code as one string, character for character', async () => {
    expect((await load(oneText(code))).text).toBe(code);
  });
});
