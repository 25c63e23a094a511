// What a client does when its fallback code (client/hosts/fallbacks.ts; the layer's fallback.cjs)
// cannot be loaded: it says so in one ERROR, then names each job and flusher it cannot run, so
// nothing is lost silently. Only a damaged install gets here (a file missing or corrupt).
import type { HostV1, Job } from '../shared/host-protocol.ts';
import { describeError, type Logger } from '../shared/log-line.ts';
import type { Fallbacks } from './hosts/fallbacks.ts';

/** Fallbacks that run nothing: logs `error` (the load failure, naming the file) once, at once. */
export function unloadedFallbacks(error: unknown, logger: Logger): Fallbacks {
  const reason = describeError(error).errorMessage;
  logger.log('ERROR', `${reason}; without it, jobs and flushers cannot run in this process unless the layer's extension runs in it: each is named in an ERROR and not run`, describeError(error));
  const host: HostV1 = {
    enqueue(job: Job, { name }) {
      if (typeof job === 'function') {
        logger.log('ERROR', 'job not run: the client could not load its fallback code', { job: name });
        return;
      }
      logger.log('ERROR', 'promise not tracked (nothing holds the environment for it): the client could not load its fallback code', { job: name });
      // Still settled with a handler: its rejection must not become an unhandledRejection (which ends the process on nodejs24.x).
      Promise.resolve(job).then(undefined, (failure: unknown) => logger.log('ERROR', 'job failed', { job: name, ...describeError(failure) }));
    },
    drain: () => Promise.resolve(),
  };
  return {
    host: () => host,
    addFlusher({ name }) {
      logger.log('ERROR', 'flusher not run: the client could not load its fallback code', { flusher: name });
      return () => undefined;
    },
    wrap: (_host, job) => job,
  };
}
