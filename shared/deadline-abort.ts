/**
 * What a job's `signal` is aborted with when the invoke's deadline nears: the same for jobs in
 * the runtime and jobs over the socket, so code that checks `reason.name` works in both.
 */
export function deadlineAbortReason(): DOMException {
  return new DOMException('The invoke deadline is near', 'TimeoutError');
}
