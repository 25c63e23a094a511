/**
 * What the kit uses of shared/ (the host protocol, the error description, argument checks, the
 * logger), in one place: with layer-wiring.ts (the extension's modules), the only files of
 * the kit that import outside extension/testing/.
 */
export { describeError } from '../../shared/describe-error.ts';
export { HOST_PROTOCOL, HOST_REGISTRY_KEY, readWaitingFlushers, TEST_KIT_KEY, type Flusher, type HandOffReason, type HostRegistry, type HostV1, type Job, type JobContext, type WaitingFlusher } from '../../shared/host-protocol.ts';
export { createLogger, type Logger } from '../../shared/log-line.ts';
export { describeValue, isThenable } from '../../shared/validate.ts';
