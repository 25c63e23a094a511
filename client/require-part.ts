// Requires one of the client's parts from a sibling file, synchronously, once (the layer's copy of
// the client: parts-layer.ts). Synchronous, because a part is needed inside a synchronous call
// (`enqueueAfterResponse`, `defineTask`); CommonJS, because only `require` loads synchronously from
// an ES module too (`createRequire`), as the extension requires its socket.cjs.

/** A part: the file beside the entry, the functions it must export, and what does not work without it. */
export interface PartOptions {
  /**
   * The entry's own path (`import.meta.filename`; `__filename` in the CommonJS entry), read at the
   * first load, not at import: an ES module's first `import.meta` costs Node's set-up of it
   * (filename, dirname, resolve), 0.57 M instructions of the layer entry's import on nodejs22.x
   * (bench/resolve-hook-micro.ts), and a handler with the extension's host never loads a part.
   */
  readonly from: () => string;
  /** The file beside the entry, e.g. `fallback.cjs`. */
  readonly file: string;
  /** Names of the functions the file must export (a file of another version may lack one). */
  readonly exports: readonly string[];
  /** What does not work without the part, for the error (`defineTask and handleTaskBatch do not work`). */
  readonly what: string;
  /** @default `createRequire(from())` of `node:module` */
  readonly require?: (path: string) => unknown;
}

/**
 * A loader of the part: the module at the first call, the same module after. Throws an `Error`
 * naming the file's path, why, and what does not work (`lambda-after-response could not load
 * /opt/nodejs/node_modules/lambda-after-response/tasks.cjs: Cannot find module …; defineTask …`),
 * the same error at every later call (a damaged file does not mend).
 */
export function partLoader<T extends object>(options: PartOptions): () => T {
  let outcome: { readonly part: T } | { readonly error: Error } | undefined;
  return () => {
    outcome ??= loadPart<T>(options);
    if ('error' in outcome) throw outcome.error;
    return outcome.part;
  };
}

function loadPart<T extends object>(options: PartOptions): { readonly part: T } | { readonly error: Error } {
  const from = options.from();
  const path = process.getBuiltinModule('node:path').join(process.getBuiltinModule('node:path').dirname(from), options.file);
  const fail = (why: string, cause?: unknown): { readonly error: Error } => ({ error: new Error(`lambda-after-response could not load ${path}: ${why}; ${options.what}`, { cause }) });
  let value: unknown;
  try {
    value = (options.require ?? process.getBuiltinModule('node:module').createRequire(from))(path);
  } catch (error) {
    return fail(error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error), error);
  }
  const missing = options.exports.filter((name) => typeof value !== 'object' || value === null || typeof Reflect.get(value, name) !== 'function');
  if (missing.length > 0) return fail(`it exports no function ${missing.map((name) => `\`${name}\``).join(', ')} (a damaged file, or one from another version of the package)`);
  return { part: value as T }; // its functions checked just above: T names no more than them
}
