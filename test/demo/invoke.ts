// `npm run invoke -- <function-dir> <file.handler> [options]`: try your own function under the
// emulator (see README "Try your own function locally"). Parsing in invoke-args.ts, the run in
// invoke-function.ts; this file only wires them to argv, stdout and the exit code.
import { rmSync } from 'node:fs';
import { runDir } from '../rig/run-dir.ts';
import { parseInvokeArgs } from './invoke-args.ts';
import { invokeFunction } from './invoke-function.ts';

// Without an extension the runtime's next lets the environment freeze at once; the rig cannot tell
// which of the function's timers or promises were still due, so this is a hint, not a finding.
const NO_LAYER_HINT = 'note (--no-layer): nothing held the environment after each response; work still pending then (timers, unawaited promises, enqueued jobs) waits, frozen, for the next invoke (on Lambda: maybe forever)';

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
  const options = parseInvokeArgs(args, process.env.INIT_CWD ?? process.cwd());
  const dir = runDir();
  const interrupted = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort(new Error(`stopped by ${signal}`)));
  try {
    const outcome = await invokeFunction(options, (line) => console.log(line), { signal: interrupted.signal });
    console.log('');
    if (!options.layer) console.log(NO_LAYER_HINT);
    if (outcome.failures.length > 0) {
      console.log(`FAILED: ${outcome.failures.length} of ${options.times} invoke(s): ${outcome.failures.join('; ')}`);
      process.exitCode = 1;
    } else {
      console.log(`ok: ${options.times} invoke(s), each response posted`);
    }
  } catch (error) {
    // An invoke cut short by the stop fails with a socket error: the signal is the real cause.
    throw interrupted.signal.aborted ? new Error(`${String((interrupted.signal.reason as Error).message)}; the sandbox is stopped`) : error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`npm run invoke: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
