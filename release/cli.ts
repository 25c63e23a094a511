/**
 * The release steps the workflows run (.github/workflows/release.yml), each a subcommand that
 * tests can run offline: `npx vite-node release/cli.ts -- <command> [options]`. Prints what it
 * did; on a problem prints it and exits 1. Commands and options: `USAGE` in cli-options.ts.
 */
import { parseArgs } from 'node:util';
import { OPTIONS, USAGE, type CommandContext, type CommandName } from './cli-options.ts';
import { checkCommand, changelogCommand } from './commands-check.ts';
import { layerArnsCommand, layerReleaseCommand, publishLayerCommand, regionsCommand } from './commands-layer.ts';
import { notesCommand, sha256Command, stampRepositoryCommand } from './commands-package.ts';
import { setVersionCommand } from './commands-version.ts';

const COMMANDS: Record<CommandName, (c: CommandContext) => Promise<void> | void> = {
  'set-version': setVersionCommand, check: checkCommand, changelog: changelogCommand, sha256: sha256Command, 'stamp-repository': stampRepositoryCommand,
  regions: regionsCommand, 'publish-layer': publishLayerCommand, 'layer-release': layerReleaseCommand, 'layer-arns': layerArnsCommand, notes: notesCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [command = '', ...rest] = args;
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command as CommandName] : undefined;
  if (run === undefined) {
    process.stderr.write(`Unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    await run({ values, positionals, print: (line) => void process.stdout.write(`${line}\n`) });
    return 0;
  } catch (error) {
    process.stderr.write(`release ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
