// The init attribution as a self-contained SVG: per profile, the A/B split of the added
// milliseconds as a stacked bar, then where the runtime process spends its init (CPU profile
// samples by owner over time) without and with the layer, with the registration marks.
import { svgDocument } from '../svg-document.ts';
import { OWNERS, type Owner } from './cpu-profile.ts';
import type { ColdStart } from './measure.ts';
import { pairedDelta, STEPS, type ProfileRun } from './report.ts';

const WIDTH = 980;
const LEFT = 200;
const RIGHT = 30;
const ROW = 14;
const COLORS: Record<Owner, string> = {
  extension: '#e15759', client: '#f28e2b', 'runtime client (RIC)': '#4e79a7', handler: '#59a14f', 'rig resolve hook': '#b07aa1',
  'node module loader': '#76b7b2', 'node bootstrap/other': '#9c755f', 'garbage collector': '#edc948', idle: '#dddddd', 'program (native)': '#bab0ac',
};
const STEP_COLORS = ['#9c755f', '#e15759', '#f28e2b'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');
const fx = (n: number): string => n.toFixed(1);

function splitBar(run: ProfileRun, top: number): string[] {
  const parts = STEPS.slice(0, 3).map((s, i) => ({ label: s.cause, ms: pairedDelta(run, s.with, s.without).median, color: STEP_COLORS[i] ?? '#999' }));
  const total = pairedDelta(run, 'wrapper extension+client', 'baseline').median;
  const scale = (WIDTH - LEFT - RIGHT) / Math.max(30, ...parts.map((p) => Math.abs(p.ms)).concat(total) ) / 1.1;
  const out = [`<text x="10" y="${top + 14}" class="title">${esc(run.profile)}: added init ${total.toFixed(1)} ms (median of paired cold starts), split into causes</text>`];
  let x = LEFT;
  parts.forEach((p, i) => {
    const w = Math.max(0, p.ms) * scale;
    out.push(`<rect x="${fx(x)}" y="${top + 24}" width="${fx(w)}" height="18" fill="${p.color}"/>`);
    out.push(`<rect x="${LEFT + 0}" y="${top + 50 + i * 16}" width="10" height="10" fill="${p.color}"/><text x="${LEFT + 16}" y="${top + 59 + i * 16}" class="legend">${p.ms >= 0 ? '+' : ''}${p.ms.toFixed(1)} ms — ${esc(p.label)}</text>`);
    x += w;
  });
  out.push(`<line x1="${fx(LEFT + 5 * scale)}" y1="${top + 20}" x2="${fx(LEFT + 5 * scale)}" y2="${top + 46}" stroke="#2f6f3e" stroke-dasharray="3 2"/><text x="${fx(LEFT + 5 * scale + 3)}" y="${top + 20}" class="tick" fill="#2f6f3e">goal 5 ms</text>`);
  return out;
}

/** The median-wall profiled cold start of a variant. */
function representative(run: ProfileRun, variant: string): ColdStart | undefined {
  const runs = run.profiled.filter((c) => c.variant === variant).sort((a, b) => a.initMs - b.initMs);
  return runs[Math.floor((runs.length - 1) / 2)];
}

function lanes(c: ColdStart, title: string, top: number, span: number): { svg: string[]; height: number } {
  const x = (t: number): number => LEFT + (t / span) * (WIDTH - LEFT - RIGHT);
  const owners = OWNERS.filter((o) => o !== 'idle' && (c.samples ?? []).some((s) => s.owner === o));
  const svg = [`<text x="10" y="${top + 12}" class="sub">${esc(title)} — first \`next\` at ${c.initMs.toFixed(1)} ms (profiler on)</text>`];
  owners.forEach((o, i) => {
    const y = top + 20 + i * ROW;
    svg.push(`<text x="${LEFT - 6}" y="${y + 10}" text-anchor="end" class="legend">${esc(o)}</text>`);
    for (const s of c.samples ?? []) if (s.owner === o) svg.push(`<rect x="${fx(x(s.at))}" y="${y + 1}" width="${fx(Math.max(0.6, (s.us / 1000 / span) * (WIDTH - LEFT - RIGHT)))}" height="${ROW - 3}" fill="${COLORS[o]}"/>`);
  });
  const bottom = top + 20 + owners.length * ROW;
  const marks: Array<[string, number | undefined, string]> = [['profiler start', c.profileStartMs, '#555'], ['register at API', c.registerSentMs, '#e15759'], ['register answered', c.registerAnsweredMs, '#b22'], ['first next', c.initMs, '#1f3b73']];
  marks.forEach(([label, at, color], i) => {
    if (at === undefined || !Number.isFinite(at)) return;
    svg.push(`<line x1="${fx(x(at))}" y1="${top + 16}" x2="${fx(x(at))}" y2="${bottom + 4 + i * 11}" stroke="${color}" stroke-dasharray="3 2"/><text x="${fx(x(at) + 3)}" y="${bottom + 12 + i * 11}" class="tick" fill="${color}">${label} ${at.toFixed(1)}</text>`);
  });
  return { svg, height: bottom - top + 56 };
}

function axis(top: number, span: number): string[] {
  const x = (t: number): number => LEFT + (t / span) * (WIDTH - LEFT - RIGHT);
  const step = span > 200 ? 50 : span > 100 ? 20 : 10;
  const out = [`<line x1="${LEFT}" y1="${top}" x2="${WIDTH - RIGHT}" y2="${top}" stroke="#888"/>`];
  for (let t = 0; t <= span; t += step) out.push(`<text x="${fx(x(t))}" y="${top + 13}" text-anchor="middle" class="tick">${t} ms</text>`);
  return out;
}

export function renderAttribution(runs: readonly ProfileRun[]): string {
  const body: string[] = [];
  let top = 10;
  for (const run of runs) {
    body.push(...splitBar(run, top));
    top += 110;
    const pair = [representative(run, 'baseline'), representative(run, 'wrapper extension+client')];
    const span = Math.max(10, ...pair.map((c) => c?.initMs ?? 0)) * 1.05;
    pair.forEach((c, i) => {
      if (!c) return;
      const l = lanes(c, `${run.profile} ${i === 0 ? 'without the layer' : 'with the layer'}: CPU samples by owner, ms from the invoke start`, top, span);
      body.push(...l.svg);
      top += l.height;
    });
    body.push(...axis(top - 8, span));
    top += 30;
  }
  return svgDocument({
    width: WIDTH, height: top + 20, body, captionFromBottom: 8,
    style: '.title{font-size:14px;font-weight:bold}.sub{font-size:12px;font-weight:bold;fill:#333}.legend{font-size:11px}.tick{font-size:10px;fill:#555}',
    caption: 'Generated by bench/init-attribution.ts under RIE (rig). Bars: medians of per-round A/B differences. Lanes: one median cold start each, CPU profile (100 µs).',
  });
}
