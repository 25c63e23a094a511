/**
 * Lambda Managed Instances: many concurrent invokes on RIC 4's worker threads, never frozen, no
 * socket (Lambda developer guide, "Lambda Managed Instances"; RIE's managed-instances mode, run).
 * Cheap and separate from the configuration: the preload decides from it whether to run at all,
 * and the client whether jobs without a host need a warning.
 */
export function isManagedInstances(env: Readonly<Record<string, string | undefined>>): boolean {
  // RIC 4 itself switches to concurrent worker threads on AWS_LAMBDA_MAX_CONCURRENCY alone.
  return env.AWS_LAMBDA_INITIALIZATION_TYPE === 'lambda-managed-instances' || env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined;
}
