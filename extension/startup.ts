/** Whether this process should run the extension. */
export type Startup =
  | { readonly kind: 'skip'; readonly reason: 'child-process' }
  | { readonly kind: 'run'; readonly runtimeApi: string | undefined };

/**
 * NODE_OPTIONS is inherited by every Node process the handler spawns, so the preload loads
 * there too; the runtime process marks itself in the environment and children stay silent.
 */
export function decideStartup(env: Readonly<Record<string, string | undefined>>, pid: number): Startup {
  const owner = env.AFTER_RESPONSE_EXTENSION_PID;
  if (owner !== undefined && owner !== String(pid)) return { kind: 'skip', reason: 'child-process' };
  return { kind: 'run', runtimeApi: env.AWS_LAMBDA_RUNTIME_API || undefined };
}
