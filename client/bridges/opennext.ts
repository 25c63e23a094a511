/**
 * `lambda-after-response/opennext`: an OpenNext (`@opennextjs/aws` 4) wrapper that passes the
 * layer's `waitUntil` to OpenNext's handler. OpenNext's `aws-lambda` wrappers pass none, so
 * OpenNext awaits every `after()` callback and detached promise before returning the response.
 *
 * ```ts
 * // open-next.config.ts
 * import type { OpenNextConfig } from '@opennextjs/aws/types/open-next.js';
 * import { withWaitUntil } from 'lambda-after-response/opennext';
 * export default {
 *   default: { override: { wrapper: async () => withWaitUntil((await import('@opennextjs/aws/overrides/wrappers/aws-lambda.js')).default) } },
 * } satisfies OpenNextConfig;
 * ```
 * No runtime dependency on OpenNext: the types are structural.
 * @packageDocumentation
 */
import { describeValue } from '../../shared/validate.ts';
import { namedWaitUntil, type WaitUntil } from '../index.ts';

/** Jobs given to this bridge's `waitUntil` are logged under this name. */
const JOB_NAME = 'opennext waitUntil';
const waitUntil: WaitUntil = namedWaitUntil(JOB_NAME);

/** OpenNext's `OpenNextHandlerOptions` (types/overrides.d.ts), the part used here. */
export interface OpenNextHandlerOptionsLike {
  readonly waitUntil?: WaitUntil | undefined;
  readonly [key: string]: unknown;
}

/** OpenNext's `Wrapper` (types/overrides.d.ts): `wrapper(handler, converter)` resolves to the Lambda handler. */
export interface OpenNextWrapperLike {
  readonly name: string;
  /** `(handler, converter) => Promise<lambdaHandler>`; `never` parameters so OpenNext's `WrapperHandler<E, R>` fits for any E, R. */
  readonly wrapper: (handler: never, converter: never) => Promise<unknown>;
}

/**
 * Returns `base` with a `wrapper` that calls OpenNext's handler with `{ ...options, waitUntil }`
 * (a `waitUntil` the base wrapper passes itself is kept). Everything else is `base`'s.
 * @example
 * ```ts
 * // open-next.config.ts: default.override.wrapper
 * wrapper: async () => withWaitUntil((await import('@opennextjs/aws/overrides/wrappers/aws-lambda.js')).default),
 * ```
 * @throws {TypeError} when `base` has no `wrapper` function.
 */
export function withWaitUntil<W extends OpenNextWrapperLike>(base: W): W {
  const wrap: unknown = typeof base === 'object' && base !== null ? Reflect.get(base, 'wrapper') : undefined;
  if (typeof wrap !== 'function') throw new TypeError(`Expected \`base\` to be an OpenNext wrapper (an object with a \`wrapper\` function), got ${describeValue(base)}`);
  const wrapper = (handler: (event: unknown, options?: OpenNextHandlerOptionsLike) => Promise<unknown>, converter: unknown): Promise<unknown> => {
    const withOurs = (event: unknown, options?: OpenNextHandlerOptionsLike): Promise<unknown> => handler(event, { ...options, waitUntil: options?.waitUntil ?? waitUntil });
    return Promise.resolve(Reflect.apply(wrap, base, [withOurs, converter]));
  };
  return { ...base, name: `${base.name}+lambda-after-response`, wrapper } as W;
}
