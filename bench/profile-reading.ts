// Reading a V8 CPU profile (the Profiler.stop shape node:inspector gives): self time summed by owner
// and by function, the native frames (no URL, no name) charged to the JS function that called them.
// Used by bench/cpu-profile.ts.

export interface ProfileNode { id: number; callFrame: { url: string; functionName: string; lineNumber?: number; columnNumber?: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Self time (µs) by key: each sample's interval (the next sample's `timeDeltas` entry, V8's format) to the node it hit, `key(node, caller)` naming it. */
export function selfTime(profile: CpuProfile, key: (node: ProfileNode, caller: ProfileNode | undefined) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node === undefined) return;
    const k = key(node, byId.get(parent.get(id) ?? NaN));
    out.set(k, (out.get(k) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  return out;
}

/** Who a frame belongs to in a rig function with the layer: the extension, the client, the runtime client, Node, the handler, or V8's own entries (`(idle)`, `(program)`, `(garbage collector)`, natives). */
export function owner({ url, functionName }: ProfileNode['callFrame']): string {
  if (url.includes('lambda-after-response/extension.mjs')) return 'extension';
  if (url.includes('lambda-after-response/')) return 'client';
  if (url.includes('/var/runtime')) return 'runtime client';
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/var/task')) return 'handler';
  return url === '' ? `(${functionName || 'native'})` : 'other';
}
