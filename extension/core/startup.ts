import type { Attribution } from './config.ts';

/** Whether this thread of this process should run the extension, and as what. */
export type Startup =
  | { readonly kind: 'skip'; readonly reason: 'child-process' | 'worker-thread' }
  | { readonly kind: 'run'; readonly runtimeApi: string | undefined; readonly thread: 'main' | 'worker' };

export interface StartupFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  /** See isMainThread below. */
  readonly isMainThread: boolean;
  readonly managedInstances: boolean;
}

/**
 * NODE_OPTIONS is inherited by every Node process the handler spawns, and an `--import` preload
 * runs again in every worker thread (same pid). The runtime process marks itself in the
 * environment, so child processes stay silent. Worker threads run the extension only on
 * Managed Instances, where RIC 4 runs the handlers there (each thread then has its own host,
 * unheld); elsewhere a worker is the user's own, and stays silent like a child process.
 */
export function decideStartup({ env, pid, isMainThread, managedInstances }: StartupFacts): Startup {
  const owner = env.AFTER_RESPONSE_EXTENSION_PID;
  if (owner !== undefined && owner !== String(pid)) return { kind: 'skip', reason: 'child-process' };
  if (!isMainThread && !managedInstances) return { kind: 'skip', reason: 'worker-thread' };
  return { kind: 'run', runtimeApi: env.AWS_LAMBDA_RUNTIME_API || undefined, thread: isMainThread ? 'main' : 'worker' };
}

/**
 * The attribution the extension uses: `AFTER_RESPONSE_ATTRIBUTION=invoke` only where invokes run
 * one at a time with a Runtime API (on-demand Lambda); elsewhere (Managed Instances' concurrent
 * invokes, a process without a Runtime API) `async-context`, whatever was set.
 */
export function attributionInEffect(attribution: Attribution, { managedInstances, runtimeApi }: { readonly managedInstances: boolean; readonly runtimeApi: string | undefined }): Attribution {
  return attribution === 'invoke' && !managedInstances && runtimeApi !== undefined ? 'invoke' : 'async-context';
}

export { isMainThread } from '../../shared/main-thread.ts';
