// `npm run invoke` arguments: parsed and checked before any sandbox starts, each problem named.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Profile } from '../rig/sandbox.ts';
import { EXIT_CODES_HELP } from './invoke-verdict.ts';

export const USAGE = `usage: npm run invoke -- <function-dir> <file.handler> [--event event.json | --event '{"json":1}']
       [--profile nodejs22.x|nodejs24.x] [--no-layer] [--times N] [--timeout S] [--memory MB] [--env K=V]...
       [--keep-tmp DIR] [--sqs] [--help]
(the \`--\` matters: without it npm takes the options as its own)`;

export const HELP = `${USAGE}

Runs <function-dir> as /var/task under the Runtime Interface Emulator (the real runtime interface
client, freeze emulation), with the built layer at /opt, and reports each invoke.
  --event FILE|JSON  the event (default {}); a value starting with . / ~ or ending in .json is a file
  --profile P        nodejs24.x (default: RIC 4.0, Node 24) or nodejs22.x (RIC 3.3, Node 22)
  --no-layer         without the layer: nothing holds the environment after the response
  --times N          invokes in a row, the first cold (default 1)
  --timeout S        the function timeout in seconds (default 30; Lambda's own default is 3)
  --memory MB        the function's memory size, 128-10240 (default 512)
  --env K=V          a function environment variable (repeatable)
  --keep-tmp DIR     copy the function's /tmp into DIR before the sandbox is removed
  --sqs              tasks get a real queue (ElasticMQ on loopback, with a DLQ), and after the
                     invokes Lambda's SQS event source is played until the queue is empty, so a
                     task sent on runs again through handleTaskBatch (docs/tasks.md)
The function's /tmp is private to the sandbox, not this machine's /tmp, and removed at the end:
the command lists what the function left there (--keep-tmp DIR keeps a copy). /var/task is
read-only, as on Lambda.

${EXIT_CODES_HELP}`;

export interface InvokeOptions {
  /** Host dir mounted as /var/task (absolute). */
  readonly functionDir: string;
  /** `_HANDLER`, e.g. `index.handler` or `src/app.handler`. */
  readonly handler: string;
  readonly event: unknown;
  readonly profile: Profile;
  readonly layer: boolean;
  /** Invokes in a row; the first is the cold start. @default 1 */
  readonly times: number;
  /** The function timeout, seconds. @default 30 */
  readonly timeoutSeconds: number;
  /** The function's memory size, MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, and the runtime's heap as Lambda's bootstrap sizes it). @default 512 */
  readonly memorySizeMb: number;
  readonly env: Readonly<Record<string, string>>;
  /** Where to copy the function's private /tmp before the sandbox is removed (absolute); undefined: not kept. */
  readonly keepTmp: string | undefined;
  /** A local task queue and Lambda's SQS event source played after the invokes (`--sqs`). @default false */
  readonly sqs: boolean;
}

/** Whether the arguments ask for the help text (`--help` or `-h` anywhere). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}

// The command's options, as npm names them in `npm_config_*` when it takes them as its own: npm
// (10, 11) parses options before a missing `--` itself, exports each as `npm_config_<name>` to
// the script (`--no-layer` as `npm_config_layer=`), and passes the script only their values.
const OWN_OPTIONS = ['event', 'profile', 'layer', 'times', 'timeout', 'memory', 'env', 'keep-tmp', 'sqs'] as const;

/**
 * The command's options that npm took as its own (`npm run invoke ./fn index.handler --timeout 5`,
 * without `--`): those with an `npm_config_*` variable in `env` and absent from `argv`.
 */
export function optionsTakenByNpm(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  return OWN_OPTIONS
    .filter((name) => env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined)
    .map((name) => (name === 'layer' ? '--no-layer' : `--${name}`))
    .filter((flag) => !argv.includes(flag));
}

/** The hint for {@link optionsTakenByNpm}'s finding. */
export function forgotDashDash(taken: readonly string[]): string {
  return `npm took ${taken.map((flag) => `\`${flag}\``).join(', ')} as its own option${taken.length === 1 ? '' : 's'} and passed the command only ${taken.length === 1 ? 'its value' : 'their values'}: did you forget \`--\`? npm passes options on only after it:\n  npm run invoke -- <function-dir> <file.handler> ${taken.join(' ')} …\n${USAGE}`;
}

const PROFILES: readonly Profile[] = ['nodejs22.x', 'nodejs24.x'];
// The Node.js runtime looks for the handler's module under these extensions (RIC's UserFunction).
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * Parses the arguments after `--`; relative paths are taken from `cwd` (npm sets INIT_CWD to
 * the caller's directory). @throws {Error} naming the argument that is missing or wrong.
 */
export function parseInvokeArgs(argv: readonly string[], cwd: string): InvokeOptions {
  const positional: string[] = [];
  const flags = { event: undefined as string | undefined, profile: 'nodejs24.x', layer: true, times: '1', timeout: '30', memory: '512', keepTmp: undefined as string | undefined, sqs: false };
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`\`${arg}\` needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--event') flags.event = value();
    else if (arg === '--profile') flags.profile = value();
    else if (arg === '--no-layer') flags.layer = false;
    else if (arg === '--times') flags.times = value();
    else if (arg === '--timeout') flags.timeout = value();
    else if (arg === '--memory') flags.memory = value();
    else if (arg === '--env') Object.assign(env, envPair(value()));
    else if (arg === '--keep-tmp') flags.keepTmp = value();
    else if (arg === '--sqs') flags.sqs = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option \`${arg}\`\n${USAGE}`);
    else positional.push(arg);
  }
  const [dir, handler, ...extra] = positional;
  if (dir === undefined || handler === undefined) throw new Error(`expected <function-dir> and <file.handler>\n${USAGE}`);
  if (extra.length > 0) throw new Error(`unexpected argument ${JSON.stringify(extra[0])}\n${USAGE}`);
  const functionDir = isAbsolute(dir) ? dir : resolve(cwd, dir);
  checkHandler(functionDir, handler);
  const profile = PROFILES.find((p) => p === flags.profile);
  if (profile === undefined) throw new Error(`Expected \`--profile\` to be one of ${PROFILES.join(', ')}, got ${JSON.stringify(flags.profile)}`);
  return {
    functionDir, handler, profile, layer: flags.layer, env, keepTmp: keepTmpDir(flags.keepTmp, cwd), sqs: flags.sqs,
    event: flags.event === undefined ? {} : readEvent(flags.event, cwd),
    times: positiveInteger('--times', flags.times, 100),
    timeoutSeconds: positiveInteger('--timeout', flags.timeout, 900),
    memorySizeMb: wholeNumber('--memory', flags.memory, { min: 128, max: 10240 }),
  };
}

function checkHandler(functionDir: string, handler: string): void {
  if (!existsSync(functionDir) || !statSync(functionDir).isDirectory()) throw new Error(`function dir ${functionDir} does not exist (or is not a directory)`);
  const match = /^(.+)\.([^./]+)$/.exec(handler);
  if (!match) throw new Error(`Expected <file.handler> like \`index.handler\` (module path, a dot, the exported name), got ${JSON.stringify(handler)}`);
  const modulePath = match[1] ?? '';
  const candidates = MODULE_EXTENSIONS.map((ext) => `${modulePath}${ext}`);
  if (!candidates.some((file) => existsSync(resolve(functionDir, file)))) {
    throw new Error(`no handler file for ${JSON.stringify(handler)}: none of ${candidates.join(', ')} is in ${functionDir}`);
  }
}

// A value like these is meant as a file: a missing one is named rather than parsed as JSON.
const LOOKS_LIKE_PATH = /^[./~]|\.json$/i;

/** A file holding JSON, else the value itself as JSON. */
function readEvent(value: string, cwd: string): unknown {
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  const fromFile = existsSync(path) && statSync(path).isFile();
  if (!fromFile && LOOKS_LIKE_PATH.test(value) && !/^\s*[[{"]/.test(value)) {
    throw new Error(existsSync(path) ? `event file ${path} is not a file` : `event file not found: ${path}`);
  }
  const text = fromFile ? readFileSync(path, 'utf8') : value;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const what = fromFile ? `the event file ${path}` : `\`--event\` (not a file, so read as JSON) ${JSON.stringify(value.slice(0, 80))}`;
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** `--keep-tmp DIR`, absolute; it may exist (as a directory: the files are copied into it). */
function keepTmpDir(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  if (existsSync(path) && !statSync(path).isDirectory()) throw new Error(`Expected \`--keep-tmp\` to be a directory (new or existing), got the file ${path}`);
  return path;
}

function envPair(pair: string): Record<string, string> {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new Error(`Expected \`--env\` to be KEY=VALUE, got ${JSON.stringify(pair)}`);
  return { [pair.slice(0, eq)]: pair.slice(eq + 1) };
}

function positiveInteger(flag: string, raw: string, max: number): number {
  return wholeNumber(flag, raw, { min: 1, max });
}

function wholeNumber(flag: string, raw: string, range: { readonly min: number; readonly max: number }): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < range.min || n > range.max) {
    throw new Error(`Expected \`${flag}\` to be a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
