import { parseHoldArgs } from '../../shared/hold-args.ts';

/** The executable's name; matched as a basename, never as a substring of the command line. */
const HOLD_COMMAND = 'after-response-hold';

/** Shells whose `-c` command string is read for the hold command (`shell: true`, `exec`). */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash']);

/** What `ChildProcess.prototype.spawn` receives: `args[0]` is the child's argv[0]. */
export interface SpawnedCommand {
  readonly file?: unknown;
  readonly args?: unknown;
}

/**
 * The job name when the spawned executable is `after-response-hold`, directly or as the first
 * command of a shell's `-c` string; undefined otherwise. A substring match would take
 * `grep after-response-hold file` for the command: it would hold the invoke for nothing and
 * log a spurious failure when grep exits without connecting.
 */
export function holdName(spawned: SpawnedCommand): string | undefined {
  if (typeof spawned.file !== 'string') return undefined;
  const args = Array.isArray(spawned.args) ? spawned.args.slice(1).filter((a): a is string => typeof a === 'string') : [];
  if (basename(spawned.file) === HOLD_COMMAND) return nameFrom(args);
  if (!SHELLS.has(basename(spawned.file))) return undefined;
  const script = shellScript(args);
  const words = script === undefined ? [] : firstCommand(script);
  return words[0] !== undefined && basename(words[0]) === HOLD_COMMAND ? nameFrom(words.slice(1)) : undefined;
}

/** The name `after-response-hold` itself will use (its own parser), or its own name if it will refuse its arguments. */
function nameFrom(args: readonly string[]): string {
  const parsed = parseHoldArgs(args);
  return 'error' in parsed ? HOLD_COMMAND : parsed.name;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** The command string of `sh [options] -c string ...` (`-c` may be grouped: `-ec`, `-lc`). */
function shellScript(args: readonly string[]): string | undefined {
  let command = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--' || arg === '-') return command ? args[index + 1] : undefined;
    if (arg === '-o' || arg === '+o') index++; // `-o pipefail`: the next word is the option's
    else if (/^[-+][a-zA-Z]+$/.test(arg)) command ||= arg.startsWith('-') && arg.includes('c');
    else if (!arg.startsWith('--')) return command ? arg : undefined;
  }
  return undefined;
}

/** Shell words that end a simple command. */
const OPERATORS = new Set([';', '&', '|', '(', ')', '<', '>', '\n']);

/**
 * The words of the string's first simple command, quotes removed, without a leading `exec`
 * and `NAME=value` assignments. A small reader, not a shell: expansions are left as written.
 */
function firstCommand(script: string): string[] {
  const words: string[] = [];
  let at = 0;
  for (;;) {
    while (script[at] === ' ' || script[at] === '\t') at++;
    if (at >= script.length || OPERATORS.has(script[at] ?? '')) break;
    const [word, next] = readWord(script, at);
    const skipped = words.length === 0 && (word.text === 'exec' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.raw));
    if (!skipped) words.push(word.text);
    at = next;
  }
  return words;
}

/** One word from `at`: its text with quotes and escapes removed, and what it looked like unquoted. */
function readWord(script: string, at: number): [{ text: string; raw: string }, number] {
  let text = '';
  let raw = '';
  let quote: '"' | "'" | undefined;
  for (; at < script.length; at++) {
    const char = script[at] ?? '';
    if (quote === undefined && (char === ' ' || char === '\t' || OPERATORS.has(char))) break;
    if (char === quote) quote = undefined;
    else if (quote === undefined && (char === '"' || char === "'")) quote = char;
    else if (char === '\\' && quote !== "'" && at + 1 < script.length) text += script[++at];
    else text += char;
    if (quote === undefined && char !== '"' && char !== "'") raw += char;
  }
  return [{ text, raw }, at];
}
