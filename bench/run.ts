// `npm run bench [-- --quick]`: runs the benchmark and prints the report (see main.ts).
import { runBench } from './main.ts';
import { parseArgs } from './options.ts';

async function cli(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const result = await runBench(options);
  console.log(`\n${result.markdown}`);
  console.log(`written to ${options.resultsDir} (results.md, timeline.svg, results.json) in ${result.seconds.toFixed(0)} s`);
}

cli().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
