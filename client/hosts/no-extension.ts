// The client's warning when no extension published its host in this process, naming the likely
// cause from the environment: most often the layer is missing or not loaded, or another layer's
// exec wrapper (observability layers own AWS_LAMBDA_EXEC_WRAPPER) replaced NODE_OPTIONS.

const WRAPPER = '/opt/after-response';
const PRELOAD = '/opt/lambda-after-response/extension.mjs';
const SHOWN_CHARS = 200; // of a variable's value

const clip = (value: string): string => (value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
const show = (value: string): string => JSON.stringify(clip(value));

/**
 * The WARN line's text (its start, `no lambda-after-response extension is loaded`, is stable):
 * - `AWS_LAMBDA_EXEC_WRAPPER` names another wrapper and `NODE_OPTIONS` lacks the preload: that
 *   wrapper may have replaced `NODE_OPTIONS` instead of appending to it (its current value shown),
 *   and the way out is to chain the wrappers, theirs first (tested: node-options-preload.test.ts);
 * - `NODE_OPTIONS` holds the preload: it did not load (its error is above, or the layer is missing);
 * - otherwise: no layer, or neither way of loading it is set.
 */
export function noExtensionWarning(env: Readonly<Record<string, string | undefined>>): string {
  const head = 'no lambda-after-response extension is loaded: jobs run in-process and are not held, so Lambda may freeze them';
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER?.trim() ?? '';
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (nodeOptions.includes(PRELOAD)) return `${head}. NODE_OPTIONS imports ${PRELOAD}, but it did not load: is the layer attached? (an error of its own would be logged above)`;
  if (wrapper !== '' && wrapper !== WRAPPER) {
    return `${head}. AWS_LAMBDA_EXEC_WRAPPER is another wrapper, ${show(wrapper)}: load the extension with NODE_OPTIONS=--import=${PRELOAD}; if that is set, the wrapper replaced NODE_OPTIONS (now ${nodeOptions === '' ? 'unset' : show(nodeOptions)}) instead of appending to it: chain the wrappers instead (a script running \`exec ${clip(wrapper).replace(/\s+/g, ' ')} ${WRAPPER} "$@"\` as AWS_LAMBDA_EXEC_WRAPPER)`;
  }
  return `${head} (no layer, or neither AWS_LAMBDA_EXEC_WRAPPER=${WRAPPER} nor NODE_OPTIONS=--import=${PRELOAD} is set)`;
}
