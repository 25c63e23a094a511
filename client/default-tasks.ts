// The module's task API (index.ts), made at the first task call, not at import: the tasks' code
// (client/tasks/, 33 KB bundled) is then loaded only by functions that define or run tasks — in
// the layer's copy from tasks.cjs (client/parts.ts). A handler that calls none never loads it.
import type { Logger } from '../shared/log-line.ts';
import type { TaskParts } from './tasks/index.ts';
import type { TaskApi } from './tasks/index.ts';
import { messageIdOf, readRecords } from './tasks/sqs-record.ts';
import type { TaskHost } from './tasks/types.ts';

export interface LazyTaskOptions {
  /** Loads the tasks' code; may throw (the layer's tasks.cjs missing or damaged), with an error naming the file. */
  readonly load: () => TaskParts;
  readonly host: () => TaskHost;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * A task API made at its first call. When the tasks' code cannot be loaded, the first failure is
 * one ERROR naming the file; `defineTask` and `setTaskCompletionStore` then throw that error, and
 * `handleTaskBatch` (which never rejects) reports every record as failed, so its messages are
 * delivered again (or reach the DLQ) instead of being deleted unrun.
 */
export function lazyTaskApi(options: LazyTaskOptions): TaskApi {
  let api: TaskApi | undefined;
  let failure: unknown;
  const need = (): TaskApi => {
    if (api) return api;
    if (failure !== undefined) throw failure;
    try {
      return (api = options.load().createTaskApi({ host: options.host, logger: options.logger, env: options.env }));
    } catch (error) {
      failure = error;
      options.logger.log('ERROR', error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
  return {
    defineTask: (name, fn, defineOptions) => need().defineTask(name, fn, defineOptions),
    handleTaskBatch(event, context) {
      let loaded: TaskApi;
      try {
        loaded = need();
      } catch {
        const failures = (readRecords(event) ?? []).map((record) => ({ itemIdentifier: messageIdOf(record) }));
        options.logger.log('ERROR', 'task batch not run: the client could not load its task code; every record is reported failed', { records: failures.length });
        return Promise.resolve({ batchItemFailures: failures });
      }
      return loaded.handleTaskBatch(event, context);
    },
    setTaskCompletionStore: (store) => need().setTaskCompletionStore(store),
  };
}
