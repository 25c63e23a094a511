// `npm run bench [-- --quick]`: runs the benchmark and prints the report (see main.ts).
import { rmSync } from 'node:fs';
import { runDirVariable } from '../test/rig/run-dir.ts';
import { runBench } from './main.ts';
import { parseArgs } from './options.ts';

async function cli(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const ownRunDir = process.env[runDirVariable] === undefined; // else a caller owns it
  try {
    const result = await runBench(options);
    console.log(`\n${result.markdown}`);
    console.log(`written to ${options.resultsDir} (results.md, results.json${options.figures?.has('8') === false ? '' : ', timeline.svg'}) in ${result.seconds.toFixed(0)} s`);
  } finally {
    const dir = process.env[runDirVariable];
    if (ownRunDir && dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

cli().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
