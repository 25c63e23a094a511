/** The release CLI's options (one set shared by every command), its usage text, and the command context. */
import type { parseArgs } from 'node:util';

export const USAGE = `Usage: vite-node release/cli.ts -- <command> [options]
  set-version --version X.Y.Z                             write the next release's version into client/package.json and the docs pages' version lines
  check --tag vX.Y.Z [--dry-run] [--github-output FILE]   tag = client/package.json = the built layer's layerVersion; zip contents; CHANGELOG section dated (--dry-run: may be Unreleased)
  changelog --version X.Y.Z                               print the CHANGELOG.md section's body
  sha256 FILE...                                          print SHA256SUMS lines
  stamp-repository --package DIR --repository OWNER/NAME  set package.json's repository (npm provenance checks it)
  regions --file FILE                                     print the regions the layer is published to, checked
  publish-layer --zip FILE --version X.Y.Z --layer-name NAME --regions-file FILE --out DIR   (the AWS CLI; one JSON per region)
  layer-release --outputs DIR --zip FILE --version X.Y.Z --layer-name NAME --out FILE        (checks the outputs, writes the release's ARNs)
  layer-arns --release FILE --record FILE --page FILE     add the release to docs/layer-arns.json, render docs/layer-arns.md
  notes --changelog FILE --sums FILE --release FILE       the GitHub release's notes`;

/** Every command of release/cli.ts (cli.ts maps each to its function; the workflow checks use the list). */
export const COMMAND_NAMES = ['set-version', 'check', 'changelog', 'sha256', 'stamp-repository', 'regions', 'publish-layer', 'layer-release', 'layer-arns', 'notes'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const OPTIONS = {
  tag: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'github-output': { type: 'string' }, version: { type: 'string' },
  package: { type: 'string' }, repository: { type: 'string' }, file: { type: 'string' }, zip: { type: 'string' },
  'layer-name': { type: 'string' }, 'regions-file': { type: 'string' }, out: { type: 'string' }, outputs: { type: 'string' },
  release: { type: 'string' }, record: { type: 'string' }, page: { type: 'string' }, changelog: { type: 'string' }, sums: { type: 'string' },
} as const;

export type CliValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
/** What a command gets: its options, its positional arguments, and where to print. */
export interface CommandContext {
  readonly values: CliValues;
  readonly positionals: readonly string[];
  readonly print: (line: string) => void;
}

/** The value of a required option. @throws Error naming the option and the command */
export function required(values: CliValues, name: keyof CliValues, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`${command} needs --${name}\n${USAGE}`);
  return value;
}
