/**
 * Stacks of async resources, followed back through the async chain (`triggerAsyncId`) to the
 * function's own code: a socket undici opens a few ticks after `fetch()` was called is created
 * in undici's frames only; the promise `fetch()` returned was created in the handler's.
 */

import { describeError } from './layer-shared.ts';
import type { DescribedError } from './types.ts';

/** What the frozen-work watch keeps per resource created during an invoke. */
export interface Origin {
  readonly type: string;
  readonly triggerId: number;
  /** A captured stack; V8 formats it only when `stack` is read (so only for reported resources). */
  readonly site: { stack?: string };
}

/** Deepest chain followed: a handler's frame is usually 1–6 links up. */
const MAX_LINKS = 40;

/** Files of this layer (the kit, the extension, the client): frames in them are never the function's own. */
export function ownFilePrefixes(moduleFile: string): readonly string[] {
  const dir = moduleFile.slice(0, moduleFile.lastIndexOf('/') + 1);
  if (!/\.[cm]?ts$/.test(moduleFile)) return [dir]; // the bundle: its package directory
  const root = dir.replace(/extension\/testing\/$/, ''); // the sources: extension/testing/ is two levels below the root
  return ['extension/', 'client/', 'shared/'].map((sub) => root + sub);
}

/** The file of the first frame in `stack` below the frame of `self` (this module, as loaded). */
export function fileOfFrame(stack: string | undefined): string {
  const line = (stack ?? '').split('\n').find((text) => text.trimStart().startsWith('at '));
  const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line ?? '');
  return (match?.[1] ?? '').replace(/^file:\/\//, '');
}

/** A frame the user would recognise as their own: not Node's internals, not a library, not this layer. */
function isUserFrame(line: string, own: readonly string[]): boolean {
  return !/\(node:|at node:|\/node_modules\//.test(line) && !own.some((prefix) => line.includes(prefix));
}

/** Frames worth showing: not Node's internals (nor V8's `new Promise (<anonymous>)`), not this layer's own. */
function visibleFrames(stack: string | undefined, own: readonly string[]): string[] {
  return (stack ?? '').split('\n').filter((line) => {
    const text = line.trimStart();
    return text.startsWith('at ') && !/\(node:|at node:|\(<anonymous>\)$/.test(text) && !own.some((prefix) => text.includes(prefix));
  }).map((line) => `    ${line.trimStart()}`);
}

/**
 * The resource's creation frames, then each ancestor's, until a section holds a frame of the
 * function's own code (or the chain ends). Each ancestor's section is headed `--- <TYPE> ---`.
 */
export function chainStack(start: Origin, lookup: (id: number) => Origin | undefined, own: readonly string[]): string {
  const lines: string[] = [];
  let origin: Origin | undefined = start;
  for (let link = 0; origin && link < MAX_LINKS; link++) {
    const frames = visibleFrames(origin.site.stack, own);
    if (frames.length > 0) {
      if (link > 0 && lines.length > 0) lines.push(`--- ${origin.type} ---`);
      lines.push(...frames);
      if (frames.some((frame) => isUserFrame(frame, own))) break;
    }
    origin = lookup(origin.triggerId);
  }
  return lines.join('\n');
}

/** This layer's files as loaded (the sources, or the package's bundle): frames in them are the kit's. */
export const OWN_FILES = ownFilePrefixes(fileOfFrame(new Error().stack));

/**
 * A thrown value described as Lambda does, without the frames that called the user's code: the
 * kit's, the layer's, and Node's or V8's between them (`new Promise (<anonymous>)`,
 * `AsyncResource.runInAsyncScope`) after the last frame of other code. The layer's frames above a
 * user's frame (a client function that threw) stay out too; Node's frames above it stay.
 */
export function describeUserError(error: unknown): DescribedError {
  const described = describeError(error);
  const isOwn = (frame: string): boolean => OWN_FILES.some((prefix) => frame.includes(prefix));
  const isPlumbing = (frame: string): boolean => isOwn(frame) || /\(node:|at node:|\(<anonymous>\)$/.test(frame);
  let last = described.stackTrace.length - 1;
  while (last >= 0 && isPlumbing(described.stackTrace[last] ?? '')) last--;
  return { ...described, stackTrace: described.stackTrace.slice(0, last + 1).filter((frame) => !isOwn(frame)) };
}
