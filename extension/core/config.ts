import { isBlank, levelSource, parseLevel } from '../../shared/log-level.ts';
import { isManagedInstances } from '../../shared/managed-instances.ts';
import type { LogLevel } from '../../shared/log-line.ts';
import { REQUEST_CONTEXT_KINDS, type RequestContextKind } from './scoped-invoke.ts';

/** The extension's settings, read once from the environment by {@link parseConfig}. */
export interface Config {
  readonly deadlineMarginMs: number;
  /** Inside the margin: how long jobs get between the abort and the release. */
  readonly abortGraceMs: number;
  readonly concurrency: number;
  readonly logLevel: LogLevel;
  readonly disabled: boolean;
  readonly fallbackIdleMs: number;
  /** Frameworks' request-context symbols to provide (none when empty). */
  readonly requestContexts: readonly RequestContextKind[];
  /** Lambda Managed Instances: many concurrent invokes, never frozen, INVOKE registration refused. */
  readonly managedInstances: boolean;
  /** `emf`: one CloudWatch Embedded Metric Format line per invoke that had jobs (emf-metrics.ts). */
  readonly metrics: 'off' | 'emf';
  readonly metricsNamespace: string;
  /** How work is attributed to invokes where they run one at a time (runtime-hooks/single-context.ts). */
  readonly attribution: Attribution;
  /** Give freed malloc memory back to the kernel now and then at an invoke's release (memory/malloc-trim.ts). */
  readonly mallocTrim: boolean;
}

/** `async-context`: follow the async context (AsyncLocalStorage); `invoke`: the invoke in progress, else the next. */
export type Attribution = 'async-context' | 'invoke';

export interface ConfigResult {
  readonly config: Config;
  /** One message per rejected variable, naming it and its value; its default is used instead. */
  readonly problems: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;
/** A parsed value, or what was expected instead. */
type Parsed<T> = { readonly value: T } | { readonly expected: string };

interface Setting<K extends keyof Config> {
  readonly name: string;
  readonly key: K;
  readonly default: Config[K];
  readonly parse: (raw: string) => Parsed<Config[K]>;
}

const integer = (min: number, max: number) => (raw: string): Parsed<number> => {
  const value = Number(raw);
  return /^\d+$/.test(raw.trim()) && value >= min && value <= max ? { value } : { expected: `an integer from ${min} to ${max}` };
};

const GRACE_DEFAULT_MS = 250;

/**
 * Every `AFTER_RESPONSE_*` setting; what each means is in config-descriptions.ts (not in the bundle
 * every cold start parses), and the configuration table in docs/configuration.md is kept equal to
 * both by a test (test/unit/config-docs.test.ts).
 */
export const SETTINGS = [
  { name: 'AFTER_RESPONSE_DEADLINE_MARGIN_MS', key: 'deadlineMarginMs', default: 500, parse: integer(50, 60_000) },
  { name: 'AFTER_RESPONSE_ABORT_GRACE_MS', key: 'abortGraceMs', default: GRACE_DEFAULT_MS, parse: integer(0, 59_950) },
  { name: 'AFTER_RESPONSE_CONCURRENCY', key: 'concurrency', default: Number.POSITIVE_INFINITY,
    parse: (raw: string) => {
      if (raw.trim() === 'Infinity') return { value: Number.POSITIVE_INFINITY };
      const parsed = integer(1, 1_000_000)(raw);
      return 'expected' in parsed ? { expected: `\`Infinity\` or ${parsed.expected}` } : parsed;
    } },
  { name: 'AFTER_RESPONSE_LOG_LEVEL', key: 'logLevel', default: 'INFO', parse: parseLevel },
  { name: 'AFTER_RESPONSE_DISABLED', key: 'disabled', default: false, parse: parseBoolean },
  { name: 'AFTER_RESPONSE_FALLBACK_IDLE_MS', key: 'fallbackIdleMs', default: 100, parse: integer(1, 60_000) },
  { name: 'AFTER_RESPONSE_METRICS', key: 'metrics', default: 'off', parse: parseMetrics },
  { name: 'AFTER_RESPONSE_METRICS_NAMESPACE', key: 'metricsNamespace', default: 'LambdaAfterResponse', parse: parseNamespace },
  { name: 'AFTER_RESPONSE_REQUEST_CONTEXT', key: 'requestContexts', default: ['next'], parse: parseRequestContexts },
  { name: 'AFTER_RESPONSE_ATTRIBUTION', key: 'attribution', default: 'async-context', parse: parseAttribution },
  { name: 'AFTER_RESPONSE_MALLOC_TRIM', key: 'mallocTrim', default: true, parse: parseSwitch },
] as const satisfies readonly Setting<keyof Config>[];

function parseAttribution(raw: string): Parsed<Attribution> {
  const lower = raw.trim().toLowerCase();
  return lower === 'async-context' || lower === 'invoke' ? { value: lower } : { expected: '`async-context` or `invoke`' };
}

function parseMetrics(raw: string): Parsed<'off' | 'emf'> {
  const lower = raw.trim().toLowerCase();
  return lower === 'off' || lower === 'emf' ? { value: lower } : { expected: '`emf` or `off`' };
}

/** CloudWatch's rule for namespaces (PutMetricData and EMF alike). */
function parseNamespace(raw: string): Parsed<string> {
  const value = raw.trim();
  return /^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(value) && !value.startsWith('AWS/') ? { value } : { expected: "1–255 letters, digits, spaces or `.-_/#:`, not starting with `AWS/`" };
}

function parseRequestContexts(raw: string): Parsed<readonly RequestContextKind[]> {
  const items = raw.split(',').map((item) => item.trim().toLowerCase());
  if (items.length === 1 && items[0] === 'none') return { value: [] };
  const kinds = REQUEST_CONTEXT_KINDS.filter((kind) => items.includes(kind));
  const unknown = items.filter((item) => !kinds.some((kind) => kind === item));
  if (unknown.length === 0) return { value: kinds };
  const expected = `a comma list of ${REQUEST_CONTEXT_KINDS.join(', ')}, or \`none\` alone`;
  // The message ends with `got "<raw>"`: name the unknown items only when they are not the whole value.
  return { expected: items.length === 1 ? expected : `${expected} (not ${unknown.map((item) => JSON.stringify(item)).join(', ')})` };
}

/** A boolean that also reads `on` / `off`, the words AFTER_RESPONSE_METRICS uses for its off switch. */
function parseSwitch(raw: string): Parsed<boolean> {
  const lower = raw.trim().toLowerCase();
  if (lower === 'on' || lower === 'off') return { value: lower === 'on' };
  const parsed = parseBoolean(raw);
  return 'expected' in parsed ? { expected: '`true` or `false` (or `on` / `off`)' } : parsed;
}

function parseBoolean(raw: string): Parsed<boolean> {
  const lower = raw.trim().toLowerCase();
  return lower === 'true' || lower === 'false' ? { value: lower === 'true' } : { expected: '`true` or `false`' };
}

/** Lambda Managed Instances (see shared/managed-instances.ts); the preload decides from it whether to run at all, before parsing the rest. */
export { isManagedInstances };

/**
 * Reads the configuration from an environment. Pure: no I/O, no globals; never throws. A blank
 * value (empty or spaces) counts as unset. Each rejected variable is one problem, naming it, its
 * value and the value used instead (exactly the one in the returned config).
 */
export function parseConfig(env: Env): ConfigResult {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const { name, raw } = setting.key === 'logLevel' ? levelSource(env) : { name: setting.name, raw: env[setting.name] };
    // The margin is read first (SETTINGS' order): the grace's default depends on it.
    const fallback = setting.key === 'abortGraceMs' ? defaultGrace(Number(values.deadlineMarginMs)) : { value: setting.default, said: `the default ${String(setting.default)}` };
    values[setting.key] = fallback.value;
    if (isBlank(raw)) continue;
    const parsed: Parsed<unknown> = setting.parse(raw);
    if (!('value' in parsed)) problems.push(`Expected \`${name}\` to be ${parsed.expected}, got ${JSON.stringify(raw)}; using ${fallback.said}`);
    else if (setting.key === 'abortGraceMs' && !graceFits(Number(parsed.value), Number(values.deadlineMarginMs))) {
      const used = fallbackGrace(Number(values.deadlineMarginMs));
      problems.push(`Expected \`${name}\` to be at least 50 ms below AFTER_RESPONSE_DEADLINE_MARGIN_MS (${String(values.deadlineMarginMs)}), got ${JSON.stringify(raw)}; using ${used.said}`);
      values[setting.key] = used.value;
    } else values[setting.key] = parsed.value;
  }
  values.managedInstances = isManagedInstances(env);
  return { config: values as unknown as Config, problems };
}

/** The grace must end at least 50 ms before the release at the margin. */
const graceFits = (grace: number, margin: number): boolean => grace <= margin - 50;
/** Half the margin; under a 100 ms margin, where half would not be 50 ms below it, the margin − 50 ms. */
const fallbackGrace = (margin: number): { value: number; said: string } => {
  const half = Math.floor(margin / 2);
  return graceFits(half, margin) ? { value: half, said: `half the margin, ${half}` } : { value: margin - 50, said: `the margin − 50 ms, ${margin - 50}` };
};

/** 250 ms, or half the margin when 250 ms does not fit inside it (the documented rule). */
function defaultGrace(margin: number): { value: number; said: string } {
  return graceFits(GRACE_DEFAULT_MS, margin) ? { value: GRACE_DEFAULT_MS, said: `the default ${GRACE_DEFAULT_MS}` } : fallbackGrace(margin);
}
