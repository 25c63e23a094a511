/** Reading JSON the AWS CLI or a file gave us, as `unknown`, one field at a time. */

/** `value[key]` when `value` is an object, else undefined. */
export const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined);

/** A value as it appears in an error message (JSON, or String() for what JSON cannot show). */
export const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * Parses JSON text.
 * @throws Error naming `what` and the start of the text when it is not JSON
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${what} is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
}
