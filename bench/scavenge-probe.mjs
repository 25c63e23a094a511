// Preloaded first by bench/init-scavenges.ts (NODE_OPTIONS, before the layer's own preload): records
// the process's garbage collections (v8.GCProfiler) from here to the runtime's first `next` — the
// end of figure 1's window — and prints them as one line, `scavenge-probe [[gcType, µs], …]`. It
// wraps `next` of the runtime client's native addon (rapid-client.node, loaded through
// process.dlopen) innermost, so it sees the call the runtime really makes (after any gate).
const profiler = new (process.getBuiltinModule('node:v8').GCProfiler)();
profiler.start();
const { dlopen } = process;
process.dlopen = function (module, filename, ...rest) {
  const result = dlopen.call(this, module, filename, ...rest);
  const next = module.exports?.next;
  if (typeof next === 'function' && String(filename).endsWith('rapid-client.node')) {
    let first = true;
    module.exports.next = function (...args) {
      if (first) {
        first = false;
        const gcs = profiler.stop()?.statistics ?? [];
        process.stdout.write(`scavenge-probe ${JSON.stringify(gcs.map((gc) => [gc.gcType, gc.cost]))}\n`);
      }
      return next.apply(this, args);
    };
  }
  return result;
};
