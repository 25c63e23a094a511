// Instruction counts of a node process, for A/B of init costs on a machine shared with other work:
// CPU time of a cold start moves by ±1 ms with the load (n=30 medians of two identical builds
// differed by 2.8 ms on 2026-12-06); the instructions a process executes do not. Runs node under
// valgrind's callgrind with V8 single-threaded (compilation and GC on the main thread, which is
// where a cold start waits for them anyway) and fixed hash and random seeds: three runs of the
// same preload then agree to within 1,000 instructions of ~220 million (nodejs22.x and 24.x).
// The count is a proxy, not a time: ~4 million instructions per ms of CPU on the 2-core bench
// machine (29 M for the extension's 7–8.5 ms of CPU, 2026-12-06).
import { spawnSync } from 'node:child_process';

/** V8 flags that make a node process's instruction count repeatable. */
export const DETERMINISTIC_V8_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

/** Throws a clear error when valgrind is not installed (it is not a dev dependency: `apt-get install valgrind`). */
export function requireValgrind(): void {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('--instructions needs valgrind on PATH (apt-get install valgrind); it was not found');
}

/** The command and arguments that run `node args…` counting its instructions (read them with parseInstructions). */
export function countingCommand(node: string, args: readonly string[]): { command: string; args: string[] } {
  // --smc-check: V8 writes and runs code on the heap (its JIT), which valgrind must notice.
  return { command: 'valgrind', args: ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', node, ...DETERMINISTIC_V8_FLAGS, ...args] };
}

/** The total from callgrind's summary on stderr (`==PID== Collected : 217614062`). */
export function parseInstructions(stderr: string): number {
  const match = /Collected : (\d+)/.exec(stderr);
  if (!match?.[1]) throw new Error(`no instruction count in valgrind's output: ${JSON.stringify(stderr.slice(-300))}`);
  return Number(match[1]);
}
