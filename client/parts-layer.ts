/**
 * The layer's client/parts.ts (build.sh builds the layer's copy of the client with this file in
 * its place): the fallback hosts and the tasks are required from sibling files, fallback.cjs and
 * tasks.cjs, at their first need. Each is CommonJS and stateless (its factories take the client's
 * logger, host and environment), so the ESM and CommonJS entries in one process may share it.
 */
import type { FallbackParts } from './hosts/fallbacks.ts';
import type { ClientParts } from './parts.ts';
import { partLoader } from './require-part.ts';
import type { TaskParts } from './tasks/index.ts';

// The entry's own path: the ES module's; the CommonJS entry is built with `import.meta.filename`
// defined as `__filename`. A function: read at a part's first load, not at import (require-part.ts).
const from = (): string => import.meta.filename;

/** Both parts, each required from beside the entry at its first need. */
export const clientParts: ClientParts = {
  fallbacks: partLoader<FallbackParts>({
    from, file: 'fallback.cjs', exports: ['createFallbacks'],
    what: 'it runs the jobs and flushers of a process without the layer\'s extension in it (no layer, AFTER_RESPONSE_DISABLED=true, a child process or worker thread)',
  }),
  tasks: partLoader<TaskParts>({
    from, file: 'tasks.cjs', exports: ['createTaskApi'],
    what: 'defineTask, handleTaskBatch and setTaskCompletionStore do not work (a task batch is reported failed, so its messages are delivered again)',
  }),
};
