// What lambda-after-response/testing costs a user's test: the time per `invokeHandler` call over
// calling the handler directly (a no-op handler, and one that enqueues a job function), and the
// size of the kit's bundles. Prints figures; asserts nothing (timing goals live here, not in tests).
//   npx vite-node bench/testing-kit.ts   (after bash build.sh, for the bundle sizes)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { enqueueAfterResponse } from '../client/index.ts';
import { invokeHandler } from '../extension/testing/index.ts';

const CALLS = 500;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** µs per call of `body`, median of ROUNDS rounds of CALLS sequential calls. */
async function perCall(body: () => Promise<unknown>): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) await body();
    rounds.push(((performance.now() - started) * 1000) / CALLS);
  }
  return median(rounds);
}

const noop = async (): Promise<string> => 'ok';
const withJob = async (): Promise<string> => {
  enqueueAfterResponse(async () => undefined, { name: 'noop-job' });
  return 'ok';
};

await invokeHandler(noop, {}); // cold: the environment set up once
await invokeHandler(withJob, {});
const direct = await perCall(() => noop());
const kitNoop = await perCall(() => invokeHandler(noop, {}));
const kitJob = await perCall(() => invokeHandler(withJob, {}));
console.log(`Node ${process.version}, ${CALLS} sequential calls × ${ROUNDS} rounds (median round):`);
console.log(`  handler called directly:              ${direct.toFixed(1)} µs per call`);
console.log(`  invokeHandler, no-op handler:         ${kitNoop.toFixed(1)} µs per call`);
console.log(`  invokeHandler, handler with one job:  ${kitJob.toFixed(1)} µs per call`);

const pkg = join(import.meta.dirname, '..', 'dist', 'npm', 'lambda-after-response');
for (const file of ['testing.mjs', 'testing.cjs', 'index.mjs']) {
  const path = join(pkg, file);
  if (!existsSync(path)) continue;
  console.log(`  ${file}: ${statSync(path).size} bytes (${gzipSync(readFileSync(path)).length} gzipped)`);
}
