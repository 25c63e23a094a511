import type { HostV1, Job, JobContext } from '../../shared/host-protocol.ts';
import { describeError, type Logger } from '../../shared/log-line.ts';
import { settle } from '../../shared/settle.ts';

export interface LocalHostOptions {
  readonly logger: Logger;
  /** Schedules job functions; they start after the current turn, like after a response. @default setImmediate */
  readonly schedule?: (run: () => void) => void;
  /**
   * Whether a failed job is logged ('log'), or left to the caller ('silent': `after-response-hold`
   * running its command unheld reports it through its exit status).
   * @default 'log'
   */
  readonly reportFailures?: 'log' | 'silent';
}

/** What every in-process job gets: no invoke is known (`requestId` `'local'`), no deadline, a signal that never aborts. */
export function localJobContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'local', deadlineMs: Number.POSITIVE_INFINITY };
}

/**
 * The host used when no extension is loaded (no layer, unit tests, local development):
 * jobs run in this process, unheld, so nothing keeps a Lambda environment awake for them.
 */
export function createLocalHost(options: LocalHostOptions): HostV1 {
  const { logger } = options;
  const schedule = options.schedule ?? ((run: () => void) => void setImmediate(run));
  const pending = new Set<Promise<void>>();
  const context = localJobContext();

  const track = (name: string, work: () => unknown): void => {
    let done!: () => void;
    const settled = new Promise<void>((resolve) => (done = resolve));
    pending.add(settled);
    settle(work, (outcome) => {
      pending.delete(settled);
      if (!outcome.ok && options.reportFailures !== 'silent') logger.log('ERROR', 'job failed', { job: name, ...describeError(outcome.error) });
      done();
    });
  };

  return {
    enqueue(job: Job, { name }) {
      if (typeof job !== 'function') {
        track(name, () => job);
        return;
      }
      let release!: () => void;
      const started = new Promise<void>((resolve) => (release = resolve));
      track(name, () => started.then(() => job({ ...context })));
      schedule(release);
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
