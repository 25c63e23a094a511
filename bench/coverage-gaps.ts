// Reading V8's precise coverage (the Profiler.takePreciseCoverage shape NODE_V8_COVERAGE writes):
// which functions of a script never ran. Used by bench/bundle-coverage.ts.

export interface CoverageRange { startOffset: number; endOffset: number; count: number }
export interface ScriptCoverage { url: string; functions: Array<{ functionName: string; ranges: CoverageRange[] }> }

/**
 * The outermost functions that never ran, as `[start, end, name]` character offsets, sorted and
 * disjoint: a never-called function nested in another is inside its range and not counted again.
 * A function's first range is the whole function with its call count (V8's format).
 */
export function neverCalled(script: ScriptCoverage): Array<[number, number, string]> {
  const zero = script.functions.flatMap((f): Array<[number, number, string]> => {
    const r = f.ranges[0];
    return r && r.count === 0 ? [[r.startOffset, r.endOffset, f.functionName || '(anonymous)']] : [];
  }).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let end = -1;
  return zero.filter(([start, stop]) => (start >= end ? ((end = stop), true) : false));
}
