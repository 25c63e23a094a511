/**
 * What the kit uses of the client's shared modules (the host protocol, the error description,
 * argument checks, the logger), in one place: with testing/layer-wiring.ts (the extension's
 * modules), the only files of the kit that import outside testing/.
 */
export { describeError } from '../client/describe-error.ts';
export { HOST_PROTOCOL, HOST_REGISTRY_KEY, readWaitingFlushers, type Flusher, type HandOffReason, type HostRegistry, type HostV1, type Job, type JobContext, type WaitingFlusher } from '../client/host-interface.ts';
export { createLogger, type Logger } from '../client/log-line.ts';
export { describeValue, isThenable } from '../client/validate.ts';
