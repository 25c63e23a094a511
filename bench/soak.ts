// The soak: (1) N invokes with 10 jobs each under freeze emulation, the layer and its baseline
// alternating in one run: open fds, RSS and heap after a gc at checkpoints, and the growth over
// the baseline's; (2) socket children in the held and the unheld modes: memory retained per
// connection. Both profiles side by side; prints the report and writes soak.md and soak.json to
// the results dir (figures, never assertions). The command line: see soak-options.ts.
import { runScript } from './run-script.ts';
import { parseSoakArgs } from './soak-options.ts';
import { runSoak, writeSoak } from './soak-run.ts';

runScript(async () => {
  const options = parseSoakArgs(process.argv.slice(2));
  const markdown = writeSoak(await runSoak(options, (line) => console.log(line)), options.resultsDir);
  console.log(`\n${markdown}\nwritten to ${options.resultsDir} (soak.md, soak.json)`);
});
