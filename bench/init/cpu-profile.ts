// Reads a V8 `.cpuprofile` (node --cpu-prof) and attributes each sample to the code that caused
// it: the innermost frame that belongs to a known owner (the extension, the client, the runtime
// client, the handler, the rig's resolve hook), else node's module loader, else node itself.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number; // µs, CLOCK_MONOTONIC (same clock as process.hrtime)
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const OWNERS = ['extension', 'client', 'runtime client (RIC)', 'handler', 'rig resolve hook', 'node module loader', 'node bootstrap/other', 'garbage collector', 'idle', 'program (native)'] as const;
export type Owner = (typeof OWNERS)[number];

/** One sample: when (µs, monotonic), for how long (µs), and whose. */
export interface Sample {
  readonly at: number;
  readonly us: number;
  readonly owner: Owner;
}

const BY_URL: Array<[RegExp, Owner]> = [
  [/\/opt\/lambda-after-response\//, 'extension'],
  [/\/opt\/nodejs\//, 'client'],
  [/\/var\/runtime\/(node_modules\/|index\.mjs)/, 'runtime client (RIC)'],
  [/rig-esm-layer-resolve/, 'rig resolve hook'],
  [/\/var\/task\//, 'handler'],
];

/**
 * The extension's wrappers around the runtime's own calls (the native `dlopen`, `next`, `done`,
 * `error`): their self time is the runtime's native call. The bundle drops the wrappers' names,
 * so they are found by where they start in the bundle (`line:column`, 0-based as in profiles).
 */
const WRAPPER_STARTS = ['target.dlopen=function(', 'return function(...args){if(seen', 'function callNext(', 'return function(...args){try{return post.apply'];

export function wrapperPositions(bundle: string): Set<string> {
  const out = new Set<string>();
  for (const text of WRAPPER_STARTS) {
    const at = bundle.indexOf(text);
    if (at === -1) continue;
    const fn = at + text.indexOf('(', text.indexOf('function')); // V8 reports a function at its `(`
    const before = bundle.slice(0, fn);
    const line = before.split('\n').length - 1;
    out.add(`${line}:${fn - (before.lastIndexOf('\n') + 1)}`);
  }
  return out;
}

const SPECIAL: Record<string, Owner> = { '(garbage collector)': 'garbage collector', '(idle)': 'idle', '(program)': 'program (native)' };

function ownerOf(stack: ProfileNode[], passThrough: ReadonlySet<string>): Owner {
  const leaf = stack[0];
  const special = leaf ? SPECIAL[leaf.callFrame.functionName] : undefined;
  if (special) return special;
  for (const node of stack) {
    if (passThrough.has(`${node.callFrame.lineNumber}:${node.callFrame.columnNumber}`) && /\/opt\/lambda-after-response\//.test(node.callFrame.url)) continue;
    const hit = BY_URL.find(([re]) => re.test(node.callFrame.url));
    if (hit) return hit[1];
  }
  return stack.some((n) => n.callFrame.url.startsWith('node:internal/modules')) ? 'node module loader' : 'node bootstrap/other';
}

/** `passThrough`: the extension's wrapper positions (see wrapperPositions). */
export function readSamples(path: string, passThrough: ReadonlySet<string> = new Set()): Sample[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owners = new Map<number, Owner>();
  const ownerFor = (id: number): Owner => {
    const cached = owners.get(id);
    if (cached) return cached;
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) stack.push(node);
    }
    const owner = ownerOf(stack, passThrough);
    owners.set(id, owner);
    return owner;
  };
  const out: Sample[] = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    out.push({ at: t, us, owner: ownerFor(profile.samples[i] ?? -1) });
  }
  return out;
}

/** Milliseconds per owner for the samples with `from <= at < to` (in the samples' unit of `at`). */
export function msByOwner(samples: readonly Sample[], from: number, to: number): Record<Owner, number> {
  const out = Object.fromEntries(OWNERS.map((o) => [o, 0])) as Record<Owner, number>;
  for (const s of samples) if (s.at >= from && s.at < to) out[s.owner] += s.us / 1000;
  return out;
}
