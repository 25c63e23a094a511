// The soak's markdown report: the invokes table by checkpoint, the growth against the baseline's,
// and the socket children's retained memory per connection.
import { cpus } from 'node:os';
import type { Reading } from './proc-reading.ts';
import type { ChildrenResult } from './soak-children.ts';
import type { InvokesResult } from './soak-invokes.ts';
import { verdict } from './format.ts';

export interface SoakReport {
  date: string;
  seconds: number;
  quick: boolean;
  loads: number[]; // 1-minute load averages: at the start, at every reading, at the end
  invokes: InvokesResult[];
  children: ChildrenResult[];
}

/** The goal of both parts: the run's growth at most 1 MB above the baseline's (RSS moves in page-sized steps). */
const GOAL_MB = 1;

const mb = (v: number, digits = 1): string => (Number.isFinite(v) ? `${v.toFixed(digits)} MB` : 'n/a');
const signed = (v: number, unit: string, digits: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(digits)} ${unit}` : 'n/a');
const pair = (a: string, b: string): string => `${a} / ${b}`;

export function soakMarkdown(r: SoakReport): string {
  const cpu = cpus();
  const loads = r.loads.filter(Number.isFinite);
  const lines = [
    `# Soak (${r.date}${r.quick ? ', quick: not judged' : ''})`,
    '',
    `${r.seconds.toFixed(0)} s on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, under RIE (nodejs22.x: RIC 3.3.0, nodejs24.x: RIC 4.0.2), the profiles side by side. ` +
      `The machine was shared: 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} over the run (memory readings do not depend on it; the duration does).`,
    '',
    ...invokesSection(r),
    ...childrenSection(r),
  ];
  return `${lines.join('\n')}\n`;
}

function invokesSection(r: SoakReport): string[] {
  if (r.invokes.length === 0) return [];
  const out = [
    '## Invokes with 10 jobs each, freeze emulation, with the layer and the baseline alternating',
    '',
    'Each reading is the median of three, after a gc in the function (heap used), of the runtime process (VmRSS, open fds).',
    '',
    '| profile | invokes of each | open fds (layer / baseline) | RSS (layer / baseline) | heap after gc (layer / baseline) | load |',
    '|---|---|---|---|---|---|',
  ];
  for (const run of r.invokes) {
    for (const c of run.checkpoints) {
      out.push(`| ${run.profile} | ${c.invokes.toLocaleString('en-US')} | ${pair(String(c.layer.fds), String(c.baseline.fds))} | ${pair(mb(c.layer.rssMb), mb(c.baseline.rssMb))} | ${pair(mb(c.layer.heapMb, 2), mb(c.baseline.heapMb, 2))} | ${c.load1.toFixed(1)} |`);
    }
  }
  out.push('', `Growth from the first reading to the last; goal: at most ${GOAL_MB} MB more than the baseline's, for RSS and for the heap.`, '');
  out.push('| profile | invokes | RSS growth (layer / baseline) | over the baseline\'s | heap growth (layer / baseline) | over the baseline\'s | fds (layer / baseline) | met |', '|---|---|---|---|---|---|---|---|');
  for (const run of r.invokes) out.push(growthRow(run, r.quick));
  return [...out, ''];
}

function growthRow(run: InvokesResult, quick: boolean): string {
  const first = run.checkpoints[0];
  const last = run.checkpoints[run.checkpoints.length - 1];
  if (!first || !last) return `| ${run.profile} | — | n/a | n/a | n/a | n/a | n/a | — |`;
  const grown = (k: keyof Reading, side: 'layer' | 'baseline'): number => last[side][k] - first[side][k];
  const overRss = grown('rssMb', 'layer') - grown('rssMb', 'baseline');
  const overHeap = grown('heapMb', 'layer') - grown('heapMb', 'baseline');
  const span = `${first.invokes.toLocaleString('en-US')} → ${last.invokes.toLocaleString('en-US')}`;
  const fds = pair(`${first.layer.fds} → ${last.layer.fds}`, `${first.baseline.fds} → ${last.baseline.fds}`);
  const met = quick ? undefined : overRss <= GOAL_MB && overHeap <= GOAL_MB;
  return `| ${run.profile} | ${span} | ${pair(signed(grown('rssMb', 'layer'), 'MB', 1), signed(grown('rssMb', 'baseline'), 'MB', 1))} | ${signed(overRss, 'MB', 1)} | ${pair(signed(grown('heapMb', 'layer'), 'MB', 2), signed(grown('heapMb', 'baseline'), 'MB', 2))} | ${signed(overHeap, 'MB', 2)} | ${fds} | ${verdict(met)} |`;
}

function childrenSection(r: SoakReport): string[] {
  if (r.children.length === 0) return [];
  const out = [
    '## Socket children: retained memory per connection',
    '',
    'Node children of the runtime, one after another, each handing one job to the extension over its socket (one connection each). ' +
      'Heap and RSS of the runtime process after a gc, once the warm-up children are done and after the rest; "held" is the reference (the extension registered). ' +
      `Goal: the heap grows at most ${GOAL_MB} MB over the run, in every mode.`,
    '',
    '| profile | mode | children (after warm-up) | heap retained per connection | heap growth | RSS growth | open fds (before → after) | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.children) {
    const heap = c.after.heapMb - c.before.heapMb;
    const perConnectionKb = (heap * 1024) / c.children;
    const met = r.quick ? undefined : heap <= GOAL_MB;
    out.push(`| ${c.profile} | ${c.mode} | ${c.children.toLocaleString('en-US')} (${c.warm.toLocaleString('en-US')}) | ${signed(perConnectionKb, 'KB', 2)} | ${signed(heap, 'MB', 2)} | ${signed(c.after.rssMb - c.before.rssMb, 'MB', 1)} | ${c.before.fds} → ${c.after.fds} | ${verdict(met)} |`);
  }
  return [...out, ''];
}
