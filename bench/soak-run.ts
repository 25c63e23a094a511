// Runs the soak's parts on the chosen profiles (side by side) and writes its report (see soak.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CHILDREN_MODES, soakChildren, type ChildrenResult } from './soak-children.ts';
import { soakInvokes, type InvokesResult } from './soak-invokes.ts';
import type { SoakOptions } from './soak-options.ts';
import { soakMarkdown, type SoakReport } from './soak-report.ts';

export async function runSoak(o: SoakOptions, say: (line: string) => void): Promise<SoakReport> {
  const started = performance.now();
  const loads: number[] = [loadavg()[0] ?? NaN];
  const sample = (line: string): void => {
    loads.push(loadavg()[0] ?? NaN);
    say(line);
  };
  let invokes: InvokesResult[] = [];
  if (o.parts.has('invokes')) {
    say(`soak: ${o.checkpoints.at(-1) ?? 0} invokes of each function on ${o.profiles.join(', ')}`);
    invokes = await Promise.all(o.profiles.map((p) => soakInvokes(p, { checkpoints: o.checkpoints, memorySizeMb: o.memorySizeMb, log: sample })));
  }
  const children: ChildrenResult[] = [];
  if (o.parts.has('children')) {
    for (const mode of CHILDREN_MODES) {
      say(`soak: ${o.children} socket children after ${o.warmChildren}, ${mode}, on ${o.profiles.join(', ')}`);
      children.push(...(await Promise.all(o.profiles.map((p) => soakChildren(p, mode, { warm: o.warmChildren, children: o.children, log: sample })))));
    }
  }
  loads.push(loadavg()[0] ?? NaN);
  return { date: new Date().toISOString().slice(0, 10), seconds: (performance.now() - started) / 1000, quick: o.quick, loads, invokes, children };
}

/** Writes soak.md and soak.json into `resultsDir`; returns the markdown. */
export function writeSoak(report: SoakReport, resultsDir: string): string {
  const markdown = soakMarkdown(report);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'soak.md'), markdown);
  writeFileSync(join(resultsDir, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  return markdown;
}
