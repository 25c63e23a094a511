// Preloaded by bench/init-scavenges.ts in a function started with `--trace-gc` (the rig's RIG_NODE_FLAGS):
// marks the end of figure 1's window — the runtime's first `next` — in V8's own trace, by a full
// collection (`gc()`, which the bootstrap's --expose-gc provides) whose line says `testing`; the
// scavenges traced before it ran inside the window. It allocates nothing before then (no imports:
// loading node:v8 for a GCProfiler allocates ~0.4 MB, enough to move where scavenges fall). It wraps
// `next` of the runtime client's native addon (rapid-client.node, loaded through process.dlopen).
const { dlopen } = process;
process.dlopen = function (module, filename, ...rest) {
  const result = dlopen.call(this, module, filename, ...rest);
  const next = module.exports?.next;
  if (typeof next === 'function' && String(filename).endsWith('rapid-client.node')) {
    let first = true;
    module.exports.next = function (...args) {
      if (first) {
        first = false;
        globalThis.gc?.();
      }
      return next.apply(this, args);
    };
  }
  return result;
};
