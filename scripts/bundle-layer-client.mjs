// Bundles the layer's copy of the client (build.sh): the same sources as the npm package, with
// client/parts.ts swapped for client/parts-layer.ts, so the entry requires the fallback hosts and
// the tasks from sibling files (fallback.cjs, tasks.cjs) at their first need instead of compiling
// them at import. Usage: node scripts/bundle-layer-client.mjs <entry.ts> <esm|cjs> <outfile> [esbuild flags as JSON]
import { build } from 'esbuild';
import { join } from 'node:path';

const [entry, format, outfile, extra = '{}'] = process.argv.slice(2);
if (!entry || (format !== 'esm' && format !== 'cjs') || !outfile) {
  console.error('usage: node scripts/bundle-layer-client.mjs <entry.ts> <esm|cjs> <outfile> [esbuild options as JSON]');
  process.exit(2);
}
const clientDir = join(import.meta.dirname, '..', 'client');
let swapped = false;

/** Resolves client/parts.ts, imported from anywhere in client/, to client/parts-layer.ts. */
const layerParts = {
  name: 'layer-parts',
  setup(b) {
    b.onResolve({ filter: /(^|\/)parts\.ts$/ }, (args) => {
      if (join(args.resolveDir, args.path) !== join(clientDir, 'parts.ts')) return undefined;
      swapped = true;
      return { path: join(clientDir, 'parts-layer.ts') };
    });
  },
};

await build({
  entryPoints: [entry], bundle: true, platform: 'node', target: 'node22', format, outfile,
  logLevel: 'warning', legalComments: 'none', plugins: [layerParts],
  // The CommonJS entry's own path for createRequire (parts-layer.ts reads import.meta.filename).
  define: format === 'cjs' ? { 'import.meta.filename': '__filename' } : {},
  ...JSON.parse(extra),
});
// An entry that never imports client/parts.ts needs no parts; one that should and did not would bundle them whole.
if (!swapped) console.error(`bundle-layer-client: ${entry} does not import client/parts.ts: nothing was split`);
