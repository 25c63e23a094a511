import { describeValue } from '../../shared/validate.ts';
import { attributeBytes, envelopeBody } from './envelope.ts';

/** SQS's default maximum message size, in bytes (a queue may allow up to 1 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
/** Deepest nesting accepted: deeper values are refused, not risked as a stack overflow. */
export const MAX_PAYLOAD_DEPTH = 256;

/**
 * Checks that `payload` survives `JSON.stringify` → `JSON.parse` unchanged in shape and returns
 * its JSON. Accepted: `null`, booleans, finite numbers, strings, arrays without holes or extra
 * keys, and objects whose prototype is `Object.prototype` or `null` with string keys only and no
 * `toJSON`. Anything else is named with its path.
 * @throws {TypeError} ``Expected the payload of task `x` to survive JSON unchanged: `payload.when` is a Date …``
 */
export function serialisePayload(task: string, payload: unknown): string {
  const fail = (path: string, what: string): never => {
    throw new TypeError(`Expected the payload of task \`${task}\` to survive JSON unchanged: \`${shortPath(path)}\` ${what}`);
  };
  try {
    walk(payload, 'payload', 0, new Set(), fail);
    return JSON.stringify(payload);
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('Expected the payload')) throw error;
    // A getter or Proxy trap threw, or JSON.stringify did: name it, never pass a foreign error on.
    return fail('payload', `could not be read (${error instanceof Error ? error.message : describeValue(error)})`);
  }
}

/** The envelope's byte size with this payload; throws a TypeError naming the size over `maxBytes`. */
export function checkMessageSize(task: string, taskId: string, payloadJson: string, maxBytes: number): string {
  const body = envelopeBody({ task, taskId, attempt: 1, payloadJson });
  // The attempt grows on later sends: count the widest one a safe integer can be.
  const bytes = Buffer.byteLength(body) + attributeBytes(task) + String(Number.MAX_SAFE_INTEGER).length - 1;
  if (bytes > maxBytes) {
    throw new TypeError(`Expected the payload of task \`${task}\` to fit one SQS message: the message would be ${bytes} bytes, over AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES (${maxBytes}); store the data elsewhere (S3, DynamoDB) and pass its key`);
  }
  return body;
}

type Fail = (path: string, what: string) => never;

/** Path segments shown at each end of a long path. */
const PATH_ENDS = 4;

/**
 * A path of more than 2 × {@link PATH_ENDS} segments, shortened to its first and last segments
 * around "…": a 256-level path would otherwise fill the error (1,000+ characters).
 */
export function shortPath(path: string): string {
  // Segments as walk() writes them: `payload`, `.name`, `[0]`, `["odd key"]` (JSON-quoted).
  const segments = path.match(/^payload|\.[A-Za-z_$][\w$]*|\[(?:\d+|"(?:[^"\\]|\\.)*"|[^\]]*)\]/g) ?? [path];
  if (segments.length <= 2 * PATH_ENDS || segments.join('') !== path) return path;
  return `${segments.slice(0, PATH_ENDS).join('')}…${segments.slice(-PATH_ENDS).join('')}`;
}

function walk(value: unknown, path: string, depth: number, seen: Set<object>, fail: Fail): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, `is ${String(value)}, which JSON turns into null`);
    if (Object.is(value, -0)) fail(path, 'is -0, which JSON turns into 0; pass 0');
    return;
  }
  if (typeof value === 'undefined') fail(path, 'is undefined, which JSON drops (or turns into null in an array); omit the key or use null');
  if (typeof value === 'bigint') fail(path, `is a BigInt (${value}n), which JSON cannot represent; pass it as a string`);
  if (typeof value === 'symbol') fail(path, 'is a symbol, which JSON drops');
  if (typeof value === 'function') fail(path, `is a function (${describeValue(value)}), which JSON drops: a task's payload is data; define the behaviour in the task`);
  const object = value as object;
  if (depth >= MAX_PAYLOAD_DEPTH) fail(path, `is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (seen.has(object)) fail(path, 'is a cycle (refers back to an enclosing value), which JSON cannot represent');
  seen.add(object);
  if (Array.isArray(object)) walkArray(object, path, depth, seen, fail);
  else walkObject(object, path, depth, seen, fail);
  seen.delete(object);
}

function walkArray(array: readonly unknown[], path: string, depth: number, seen: Set<object>, fail: Fail): void {
  const keys = Reflect.ownKeys(array);
  for (const key of keys) {
    if (key === 'length') continue;
    if (typeof key === 'symbol' || !/^(0|[1-9]\d*)$/.test(key) || Number(key) >= array.length) fail(`${path}[${String(key)}]`, 'is an extra key on an array, which JSON drops');
  }
  if (keys.length - 1 !== array.length) fail(path, 'is an array with holes, which JSON turns into null');
  for (let i = 0; i < array.length; i++) walk(array[i], `${path}[${i}]`, depth + 1, seen, fail);
}

function walkObject(object: object, path: string, depth: number, seen: Set<object>, fail: Fail): void {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const name = constructorName(proto);
    fail(path, `is ${name === 'Date' ? 'a Date, which JSON turns into a string; pass date.toISOString()' : name === 'Map' || name === 'Set' ? `a ${name}, which JSON turns into {}; pass an array` : `an instance of ${name}, which JSON does not keep (it becomes a plain object or a primitive); pass plain data`}`);
  }
  if (typeof Reflect.get(object, 'toJSON') === 'function') fail(path, 'has a toJSON method, so JSON stores something else');
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === 'symbol') fail(path, `has a symbol key (${String(key)}), which JSON drops`);
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (!descriptor?.enumerable) continue;
    walk(Reflect.get(object, key), `${path}${/^[A-Za-z_$][\w$]*$/.test(key as string) ? `.${key as string}` : `[${JSON.stringify(key)}]`}`, depth + 1, seen, fail);
  }
}

function constructorName(proto: unknown): string {
  const ctor: unknown = typeof proto === 'object' && proto !== null ? Reflect.get(proto, 'constructor') : undefined;
  const name: unknown = typeof ctor === 'function' ? Reflect.get(ctor, 'name') : undefined;
  return typeof name === 'string' && name.length > 0 ? name : 'a class';
}
