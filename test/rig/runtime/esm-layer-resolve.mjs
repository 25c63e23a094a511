// Rig stand-in for Lambda's managed Node runtime: a bare ESM import that normal resolution
// cannot find is retried from the NODE_PATH node_modules dirs (layers at /opt/nodejs/...).
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const layerDirs = (process.env.NODE_PATH ?? '').split(':').filter((d) => d.endsWith('/node_modules'));
const isBare = (specifier) => !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);

function resolve(specifier, context, nextResolve) {
  try {
    return nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const dir of layerDirs) {
      // A parent module beside node_modules makes node search exactly that dir first.
      const parentURL = pathToFileURL(`${dir.slice(0, -'node_modules'.length)}rig-layer-parent.mjs`).href;
      try {
        return nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this dir
      }
    }
    throw err;
  }
}

registerHooks({ resolve });
