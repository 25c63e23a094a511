/** What `after-response-hold [--name NAME] -- command args...` asks for. */
export type HoldArgs = { readonly name: string; readonly command: readonly [string, ...string[]] } | { readonly error: string };

export const USAGE = 'usage: after-response-hold [--name NAME] -- command [args...]';

/** Parses the command line; the command after `--` is taken verbatim. */
export function parseHoldArgs(argv: readonly string[]): HoldArgs {
  let name: string | undefined;
  let index = 0;
  for (; index < argv.length && argv[index] !== '--'; index++) {
    const word = argv[index];
    if (word === '--name' && index + 1 < argv.length) name = argv[++index];
    else if (word?.startsWith('--name=')) name = word.slice('--name='.length);
    else return { error: `unexpected argument ${JSON.stringify(word)}; ${USAGE}` };
  }
  const [program, ...rest] = argv.slice(index + 1);
  if (index >= argv.length || program === undefined) return { error: `expected \`--\` followed by a command; ${USAGE}` };
  if (name !== undefined && name.length === 0) return { error: `expected --name to be non-empty; ${USAGE}` };
  return { name: name ?? [program, ...rest].join(' ').slice(0, 200), command: [program, ...rest] };
}
