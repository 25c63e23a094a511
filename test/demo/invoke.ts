// `npm run invoke -- <function-dir> <file.handler> [options]`: try your own function under the
// emulator (see README "Try your own function locally"). Parsing in invoke-args.ts, the run in
// invoke-function.ts, the verdict in invoke-verdict.ts; this file wires them to argv, the rig's
// provisioning, stdout and the exit code (`--help` lists the codes).
import { forgotDashDash, HELP, optionsTakenByNpm, parseInvokeArgs, wantsHelp, type InvokeOptions } from './invoke-args.ts';
import { Interrupted, provisionRig, withRigRun } from './command-run.ts';
import { invokeFunction } from './invoke-function.ts';
import { EXIT_CODES, verdict, type InvokeJudgement } from './invoke-verdict.ts';
import { budgetNote } from './invoke-budget.ts';

// Without an extension the runtime's next lets the environment freeze at once; the rig cannot tell
// which of the function's timers or promises were still due, so this is a hint, not a finding.
const UNHELD_HINT = 'nothing held the environment after each response; work still pending then (timers, unawaited promises, enqueued jobs) waits, frozen, for the next invoke (on Lambda: maybe forever)';
const NO_LAYER_HINT = `note (--no-layer): ${UNHELD_HINT}`;
const NO_EXTENSION_HINT = `note: the layer is attached but no extension registered (AFTER_RESPONSE_DISABLED=true, or NODE_OPTIONS replaced by the function's env? see the layer's log line): ${UNHELD_HINT}`;

/** Bad arguments: exit 2, before anything starts. */
class UsageError extends Error {}

function options(argv: readonly string[]): InvokeOptions {
  const taken = optionsTakenByNpm(argv, process.env);
  if (taken.length > 0) throw new UsageError(forgotDashDash(taken));
  try {
    return parseInvokeArgs(argv, process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function hint(parsed: InvokeOptions, invokes: readonly InvokeJudgement[]): string | undefined {
  if (!parsed.layer) return NO_LAYER_HINT;
  return invokes.length > 0 && invokes.every((judgement) => !judgement.extension) ? NO_EXTENSION_HINT : undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return EXIT_CODES.ok;
  }
  const parsed = options(argv);
  return withRigRun(async (signal) => {
    await provisionRig(parsed.profile, signal);
    const outcome = await invokeFunction(parsed, (line) => console.log(line), { signal });
    signal.throwIfAborted();
    console.log('');
    for (const note of [budgetNote(parsed), hint(parsed, outcome.invokes)]) if (note !== undefined) console.log(note);
    const { line, exitCode } = verdict(outcome.invokes, outcome.queue);
    console.log(line);
    return exitCode;
  });
}

main(process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'))).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`npm run invoke: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof Interrupted ? error.exitCode : EXIT_CODES.usage;
  },
);
