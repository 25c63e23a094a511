// `npm run invoke`'s note on the function timeout against the layer's deadline margin and grace.
import { parseConfig } from '../../extension/core/config.ts';
import { MARGIN_FIX, marginNamed } from '../../extension/core/deadline-texts.ts';
import type { InvokeOptions } from './invoke-args.ts';

/**
 * The timeout against the layer's margin and grace, as the layer parses them from `--env`: at or
 * below the margin every invoke aborts its jobs' signal at once; at or below margin − grace
 * nothing holds them at all. Undefined when the timeout leaves the jobs time, or without the layer.
 * The margin and the fix are worded as the layer's `deadline near` WARN words them (deadline-texts.ts).
 */
export function budgetNote(parsed: Pick<InvokeOptions, 'layer' | 'timeoutSeconds' | 'env'>): string | undefined {
  if (!parsed.layer) return undefined;
  const { deadlineMarginMs: margin, abortGraceMs: grace } = parseConfig(parsed.env).config;
  const timeoutMs = parsed.timeoutSeconds * 1000;
  if (timeoutMs > margin) return undefined;
  const what = timeoutMs <= margin - grace ? 'nothing holds the jobs at all (no grace is left: they run unheld)' : `every invoke aborts its jobs' signal at once (they get at most the grace, ${String(grace)} ms)`;
  return `note: the timeout (${String(timeoutMs)} ms) is at or below ${marginNamed(margin)}: every invoke starts inside it, so ${what}. Fix: ${MARGIN_FIX} (--timeout S; the margin: --env AFTER_RESPONSE_DEADLINE_MARGIN_MS=…)`;
}
