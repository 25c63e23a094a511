import { describeError, type Logger } from '../../shared/log-line.ts';

/**
 * Gives the process's freed malloc memory back to the kernel, now and then, at an invoke's release.
 *
 * Why: V8 compiles hot functions on background threads (Maglev, TurboFan); the memory a compile
 * uses is malloc'd and freed when it ends, and glibc keeps freed memory for later mallocs rather
 * than give it back (free() returns only the top of a heap). Anonymous memory the kernel cannot
 * reclaim, it counts against the function's memory size. Measured (bench/memory-ab.ts --trim:
 * malloc_trim(0) called in each process, 1,000 invokes, 128 MB): a realistic nodejs24.x function
 * kept 25 MB (122.7 → 97.5 MB RSS without the layer) and 33 MB with it (130.5 → 97.3); the trivial
 * one with the layer 6 MB; nodejs22.x ~1 MB (no Maglev). malloc_trim(0) (glibc ≥ 2.8) gives back
 * every whole free page of every arena and is MT-safe (man malloc_trim(3)).
 *
 * When: at the release of the 32nd, 64th, 128th and 256th invoke this process held (every invoke,
 * with jobs or without), then of every 256th: V8 compiles a function after a few hundred calls, so
 * the compiles of the per-invoke path come in the first hundreds of invokes, and memory freed later
 * is trimmed within 256 invokes.
 * Never at a release for the deadline (the trim waits for the next release); never at init (the
 * native module, malloc-trim.c, is loaded at the first trim).
 */

/** The layer's native module (extension/memory/malloc-trim.c; build.sh builds it per architecture). */
export interface NativeTrim {
  /** glibc's `malloc_trim(0)`: true when it gave memory back. */
  mallocTrim(): boolean;
}

/** The first invoke count at whose release memory is trimmed. */
export const TRIM_FIRST_INVOKE = 32;
/** From here on, every this many held invokes. */
export const TRIM_EVERY_INVOKES = 256;

/** Whether memory is due for a trim at the release of the `held`-th held invoke (1-based). */
export function isTrimDue(held: number): boolean {
  if (held < TRIM_FIRST_INVOKE) return false;
  return held < TRIM_EVERY_INVOKES ? (held & (held - 1)) === 0 : held % TRIM_EVERY_INVOKES === 0;
}

export interface MallocTrimOptions {
  /** Loads the native module; throws an `Error` naming its file when it cannot (lazy-file.ts). Called once, at the first trim. */
  readonly load: () => NativeTrim;
  readonly logger: Logger;
  /** The process's RSS in bytes (`process.memoryUsage.rss`): read around a trim only when DEBUG is on. */
  readonly rss: () => number;
  /** A monotonic clock in ms: the trim's duration, in the DEBUG line. */
  readonly monoNow: () => number;
}

/**
 * Returns the extension loop's `afterHold`: called with the hold's outcome (`settled` or
 * `deadline`) and the request id once per invoke the extension held (every invoke, with jobs or
 * without), before its release. Never throws. A module that does not load
 * is named in one WARN, and nothing is trimmed from then on.
 */
export function createMallocTrim(options: MallocTrimOptions): (outcome: unknown, requestId: string) => void {
  let held = 0;
  let due = false;
  let native: NativeTrim | 'unavailable' | undefined;
  return (outcome, requestId) => {
    held++;
    due ||= isTrimDue(held);
    if (!due || outcome === 'deadline' || native === 'unavailable') return;
    due = false;
    native ??= load(options);
    if (native !== 'unavailable') trim(native, { requestId, heldInvokes: held }, options);
  };
}

function load({ load: loadNative, logger }: MallocTrimOptions): NativeTrim | 'unavailable' {
  try {
    const native = loadNative();
    if (typeof native.mallocTrim === 'function') return native;
    throw new Error('it has no mallocTrim function');
  } catch (error) {
    logger.log('WARN', 'the memory trim did not load: memory V8 freed stays with the process (AFTER_RESPONSE_MALLOC_TRIM=false stops trying)', describeError(error));
    return 'unavailable';
  }
}

/** `at`: the invoke it ends (its request id) and how many invokes were held so far, for the log lines. */
function trim(native: NativeTrim, at: { readonly requestId: string; readonly heldInvokes: number }, { logger, rss, monoNow }: MallocTrimOptions): void {
  const debug = logger.enabled('DEBUG');
  const before = debug ? rss() : 0;
  const start = debug ? monoNow() : 0;
  try {
    const gaveBack = native.mallocTrim();
    if (debug) logger.log('DEBUG', 'malloc_trim(0) at an invoke\'s release', { ...at, gaveBack, ms: round(monoNow() - start), rssBeforeMb: mb(before), rssAfterMb: mb(rss()) });
  } catch (error) {
    logger.log('WARN', 'malloc_trim(0) failed: trying again at the next trim', { ...at, ...describeError(error) });
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const mb = (bytes: number): number => Math.round(bytes / 104_857.6) / 10;
