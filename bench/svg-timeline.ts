// Renders timeline panels as a self-contained SVG (no external fonts, scripts or services).
import { escapeSvg, svgDocument } from './svg-document.ts';
import type { TimelinePanel } from './types.ts';

const WIDTH = 980;
const LEFT = 170; // job-name column
const RIGHT = 30;
const ROW = 24;
const HOLD_LABEL = 18; // room under the job rows for the shaded hold label
const MARK_AREA = 18 * 5 + 10; // one staggered label line per mark
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948'];
const MARK_COLORS: Record<string, string> = {
  'invoke start': '#555', 'response posted': '#e15759', 'runtime next': '#9c755f',
  'extension release': '#2f6f3e', frozen: '#1f3b73',
};

const esc = escapeSvg;
const fx = (n: number): string => n.toFixed(1);

function tickStep(span: number): number {
  const raw = span / 8;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
}

function panelHeight(p: TimelinePanel): number {
  return 30 + MARK_AREA + p.jobs.length * ROW + HOLD_LABEL + 40;
}

function axis(x: (t: number) => number, span: number, y: number): string[] {
  const out = [`<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="#888"/>`];
  const step = tickStep(span);
  for (let t = 0; t <= span; t += step) {
    out.push(`<line x1="${fx(x(t))}" y1="${y}" x2="${fx(x(t))}" y2="${y + 5}" stroke="#888"/>`);
    out.push(`<text x="${fx(x(t))}" y="${y + 18}" text-anchor="middle" class="tick">${Math.round(t)} ms</text>`);
  }
  return out;
}

function marks(p: TimelinePanel, x: (t: number) => number, top: number, bottom: number): string[] {
  return p.marks.filter((m) => Number.isFinite(m.at)).flatMap((m, i) => {
    const color = MARK_COLORS[m.label] ?? '#333';
    const ly = top + 14 + i * 18;
    const anchor = x(m.at) > WIDTH - 260 ? 'end' : 'start';
    const dx = anchor === 'end' ? -4 : 4;
    return [
      `<line x1="${fx(x(m.at))}" y1="${ly - 10}" x2="${fx(x(m.at))}" y2="${bottom}" stroke="${color}" stroke-dasharray="4 3"/>`,
      `<text x="${fx(x(m.at) + dx)}" y="${ly}" text-anchor="${anchor}" fill="${color}" class="mark">${esc(m.label)} ${m.at.toFixed(1)} ms</text>`,
    ];
  });
}

function jobs(p: TimelinePanel, x: (t: number) => number, top: number): string[] {
  return p.jobs.flatMap((j, i) => {
    const y = top + i * ROW;
    const w = Math.max(1, x(j.end) - x(j.start));
    return [
      `<text x="${LEFT - 8}" y="${y + 16}" text-anchor="end" class="job">${esc(j.name)}</text>`,
      `<rect x="${fx(x(j.start))}" y="${y + 4}" width="${fx(w)}" height="${ROW - 8}" rx="3" fill="${COLORS[i % COLORS.length] ?? '#999'}"/>`,
      `<text x="${fx(x(j.end) + 4)}" y="${y + 16}" class="dur">${(j.end - j.start).toFixed(1)} ms</text>`,
    ];
  });
}

/** Shades response posted → release: the time the extension holds the environment (billed). */
function hold(p: TimelinePanel, x: (t: number) => number, top: number, bottom: number): string[] {
  const from = p.marks.find((m) => m.label === 'response posted')?.at;
  const to = p.marks.find((m) => m.label === 'extension release')?.at;
  if (from === undefined || to === undefined || !(to > from)) return [];
  return [
    `<rect x="${fx(x(from))}" y="${top}" width="${fx(x(to) - x(from))}" height="${bottom - top}" fill="#59a14f" fill-opacity="0.08"/>`,
    `<text x="${fx((x(from) + x(to)) / 2)}" y="${bottom - 4}" text-anchor="middle" class="tick">held for jobs after the response (billed)</text>`,
  ];
}

function panel(p: TimelinePanel, top: number): string[] {
  const span = Math.max(1, ...p.marks.map((m) => m.at).filter(Number.isFinite), ...p.jobs.map((j) => j.end)) * 1.04;
  const x = (t: number): number => LEFT + (t / span) * (WIDTH - LEFT - RIGHT);
  const jobsTop = top + 30 + MARK_AREA;
  const axisY = jobsTop + p.jobs.length * ROW + HOLD_LABEL + 6;
  return [
    `<text x="10" y="${top + 18}" class="title">${esc(p.title)}</text>`,
    ...hold(p, x, jobsTop - 6, axisY),
    ...jobs(p, x, jobsTop),
    ...marks(p, x, top + 30, axisY),
    ...axis(x, span, axisY),
  ];
}

export function renderTimeline(panels: TimelinePanel[], caption: string): string {
  let top = 0;
  const body: string[] = [];
  for (const p of panels) {
    body.push(...panel(p, top));
    top += panelHeight(p);
  }
  return svgDocument({
    width: WIDTH, height: top + 30, body, caption, captionFromBottom: 10,
    style: '.title{font-size:14px;font-weight:bold}.tick,.dur{font-size:11px;fill:#555}.mark{font-size:12px}.job{font-size:12px}',
  });
}
