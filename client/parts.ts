/**
 * The code a client loads only at its first need of it: the fallback hosts (hosts/fallbacks.ts)
 * and the tasks (tasks/index.ts). In the TypeScript sources and the npm package (which users
 * bundle, and bundlers follow only static imports) they are imported here, in one file. The
 * layer's copy of the client is built with parts-layer.ts in this file's place (build.sh), which
 * requires them from sibling files at first need instead: the entry a handler imports from the
 * layer then compiles no code for them (docs/how-it-works.md, "The layer's copy of the client").
 */
import { createFallbacks, type FallbackParts } from './hosts/fallbacks.ts';
import { createTaskApi, type TaskParts } from './tasks/index.ts';

/** Loaders of the client's parts; each may throw (only the layer's can: a file missing or corrupt). */
export interface ClientParts {
  readonly fallbacks: () => FallbackParts;
  readonly tasks: () => TaskParts;
}

const fallbacks: FallbackParts = { createFallbacks };
const tasks: TaskParts = { createTaskApi };

/** Both parts, already here. */
export const clientParts: ClientParts = { fallbacks: () => fallbacks, tasks: () => tasks };
