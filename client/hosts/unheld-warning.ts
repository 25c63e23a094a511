import { HOST_PROTOCOL, type HostRegistry } from '../../shared/host-protocol.ts';
import type { LogLevel } from '../../shared/log-line.ts';
import { isManagedInstances } from '../../shared/managed-instances.ts';
import { noExtensionWarning } from './no-extension.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface UnheldFacts {
  /** The registry found on the global object: a layer whose protocols this client does not speak. */
  readonly registry: HostRegistry | undefined;
  readonly env: Env;
  /** False in a worker thread (shared/main-thread.ts). */
  readonly mainThread: boolean;
  /** The test kit (`lambda-after-response/testing`) was imported: it publishes a host per invoke. @default false */
  readonly testKit?: boolean;
}

/** The one line saying why jobs run in-process, unheld: no usable host and no socket. */
export function unheldWarning({ registry, env, mainThread, testKit = false }: UnheldFacts): { readonly level: LogLevel; readonly message: string } {
  if (registry) {
    const served = Object.keys(registry.protocols).join(', ');
    return { level: 'ERROR', message: `the layer's extension (version ${registry.layerVersion}) serves protocol(s) ${served}, this client needs protocol ${HOST_PROTOCOL}: jobs run in-process and are NOT held; upgrade the layer or the lambda-after-response package so they match` };
  }
  if (env.AFTER_RESPONSE_DISABLED?.trim().toLowerCase() === 'true') {
    return { level: 'WARN', message: 'AFTER_RESPONSE_DISABLED=true turned the extension off: jobs run in-process and are not held, so Lambda may freeze them' };
  }
  if (isManagedInstances(env)) {
    // Nothing is ever frozen there, and there is no socket: in-process is all that is needed.
    return { level: 'DEBUG', message: 'no lambda-after-response extension in this process or thread (a child process or worker thread on Lambda Managed Instances, where nothing is frozen): jobs run in-process' };
  }
  if (testKit) {
    // Not Lambda: the kit's `invokeHandler` publishes the layer's host for each invoke and runs the flushers listed now.
    return { level: 'DEBUG', message: 'lambda-after-response/testing is loaded and no invoke is running: flushers registered now run in each invoke it runs; jobs enqueued outside its invokes run in-process, unheld' };
  }
  if (!mainThread) {
    return { level: 'WARN', message: "this worker thread has no AFTER_RESPONSE_SOCKET in its environment (a Worker given its own `env`, or no layer): jobs run in-process and are not held, so Lambda may freeze them; with the layer, keep the Worker's default `env` (or pass AFTER_RESPONSE_SOCKET) and they are held" };
  }
  return { level: 'WARN', message: noExtensionWarning(env) };
}
