// The markdown report: the main table, the alternatives table, and how the numbers were taken.
import { cpus } from 'node:os';
import { verdict } from './format.ts';
import type { AlternativeRow, Row } from './types.ts';

const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** `quick`: no verdicts — a smoke run's few samples cannot judge a goal (its p99 is its maximum). */
export function mainTable(rows: Row[], options: { readonly quick?: boolean } = {}): string {
  const head = '| figure | profile | metric | with the layer | baseline | Δ | ratio | goal | met |\n|---|---|---|---|---|---|---|---|---|';
  const met = (r: Row): string => (options.quick ? 'not judged (quick)' : verdict(r.met));
  const lines = rows.map((r) => `| ${[r.figure, r.profile, r.metric, r.measured, r.baseline, r.delta, r.ratio, r.goal, met(r)].map(esc).join(' | ')} |`);
  return [head, ...lines].join('\n');
}

export function alternativesTable(rows: AlternativeRow[]): string {
  const head = '| profile | approach | response latency (invoke start → response posted) | job completed before the freeze | billed duration (RIE REPORT) |\n|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${[r.profile, r.approach, r.response, r.completed, r.billed].map(esc).join(' | ')} |`);
  return [head, ...lines].join('\n');
}

const NOTES = `Cells: median (min–max[, p99], n = samples). Ratio: with the layer / baseline of the cell values
(for the leak-check rows, of the two growths). A quick run judges no goal. "With the layer" and "baseline" were measured in
the same run, alternating A and B (ABBA order; two functions alive at once, the idle one frozen).
Times come from the rig's recording proxy on the Runtime API (one clock, the bench process).
Figure 1: RIE initialises lazily, so a cold invoke's start → the runtime's first \`next\` stands
in for "runtime process start → first \`next\`"; every variant pays the same RIE/bootstrap costs.
Figure 1 also runs the floor (bench/floor/: the least internal extension layer we could write — an
\`sh\` exec wrapper, a raw \`net\` preload that registers and long-polls \`next\`, a one-line package
the handler imports from the layer), rotating the three variants: "layer − floor" is our extension's
and client's code beyond that minimum, "floor − no layer" what any layer that holds the environment
this way paid here (bench/init-floor.ts counts its steps in instructions); in those rows "with the
layer" holds the first term and "baseline" the second. Figure 6 splits its RSS row the same way.
Figures 1 and 6 run two workloads, each against its own baseline: \`trivial\` (figure 1: the
layer's function imports the client from the layer, the baseline imports nothing; the import goes
through the rig's ESM resolve hook, a stand-in for Lambda's, which adds 6.0–7.5 M instructions,
~1.5–2 ms of CPU, that may not be there on Lambda: bench/resolve-hook-micro.ts; figure 6: ten small jobs,
or ten un-awaited promises) and \`realistic\` (a 10 KB JSON event parsed, validated and hashed, a
loopback HTTP call with \`fetch\`, a 5 KB response; ten jobs of the same kind, or the same ten
un-awaited: test/fixtures/bench/realistic-work.mjs).
Figure 4: the last job's end (epoch ms, kept in module memory, returned by the next invoke) vs the
extension's \`next\` at the proxy, converted with performance.timeOrigin.
Figure 6: VmRSS of the runtime process after \`gc()\` (median of 3 readings), freeze emulation off;
both functions continue, alternating, to the leak check (5,000 invokes each in a full run rather
than 10,000 of one, so the growth has a baseline and the run stays at a few minutes). The rows
"trivial, 30 invokes a second" are the trivial workload's three functions afresh, a round of the
three every 33 ms instead of back to back (V8 12.4 keeps a larger young generation only while a
function allocates over 1,000 bytes per ms: bench/results/memory-attribution.md, section 12).
Figure 7: (c) is checked ≥ 800 ms after its invoke returned, while frozen; billed durations are
RIE's, which include the extension's hold (as Lambda bills \`PostRuntimeExtensionsDuration\`).`;

export interface ReportMeta {
  quick: boolean;
  seconds: number;
  date: string;
  /** The machine's load average (1 / 5 / 15 min) when the run started and ended: it is shared. */
  load?: { atStart: string; atEnd: string } | undefined;
  /** Which figures were re-measured on a later day (see merge-results.ts). */
  remeasured?: string | undefined;
}

export function report(rows: Row[], alternatives: AlternativeRow[], meta: ReportMeta): string {
  const cpu = cpus();
  const mode = meta.quick ? 'quick run (`--quick`, smoke only: too few samples to judge)' : 'full run';
  return [
    `Measured ${meta.date}, ${mode}, ${meta.seconds.toFixed(0)} s, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, `
      + 'under RIE with nodejs22.x (RIC 3.3.0) and nodejs24.x (RIC 4.0.2).'
      + (meta.load ? ` Load average (1 / 5 / 15 min) ${meta.load.atStart} at the start, ${meta.load.atEnd} at the end.` : '')
      + (meta.remeasured ? ` ${meta.remeasured}` : ''),
    '',
    mainTable(rows, { quick: meta.quick }),
    '',
    '**7. Against the alternatives** — the same job (500 ms of I/O wait, then a file write):',
    '',
    alternativesTable(alternatives),
    '',
    '![timeline](timeline.svg)',
    '',
    NOTES,
    '',
  ].join('\n');
}
