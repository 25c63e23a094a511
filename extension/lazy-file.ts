/**
 * The layer's lazily required files (build.sh builds each beside extension.mjs): socket.cjs at
 * the function's first child process or worker thread, reporting.cjs at the first SIGTERM with
 * tasks to hand off or the first EMF line. Each is code most cold starts never run: out of the
 * bundle, it is not compiled at every cold start (V8 pre-parses all of a script's code, used or
 * not: ~0.14 M instructions per KB of the bundle, bench/init-micro.ts --instructions). Loading one
 * costs 1.4 / 3.1 M instructions (nodejs22.x / nodejs24.x: `createRequire` and a one-line file, in
 * a process that has not used `require` yet); in the runtime, whose client has, reporting.cjs costs
 * 1.5 M (0.4 / 0.6 ms) and socket.cjs 3.5 M (0.7 / 0.9 ms) (bench/lazy-file-load.ts): paid once,
 * where it is needed.
 */

/**
 * Requires `file` ('name.cjs', beside the bundle) with `require` (made by `createRequire` from the bundle's URL),
 * synchronously. Its shape is the caller's to declare (the file is built from the module whose
 * type it names). @throws an `Error` naming the file (`lambda-after-response/<file> did not
 * load: …`, the cause attached) when it cannot be loaded.
 */
export function requireBeside(require: (id: string) => unknown, file: string): unknown {
  try {
    return require(`./${file}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`lambda-after-response/${file} did not load: ${reason}`, { cause: error });
  }
}
