import type { SETTINGS } from './config.ts';

/**
 * What each `AFTER_RESPONSE_*` setting (config.ts's SETTINGS) means, as docs/configuration.md's
 * table says it (test/unit/config-docs.test.ts keeps them equal). Apart from SETTINGS so that the
 * extension's bundle does not carry them: 2.2 KB of text, 0.12 / 0.13 M instructions of every cold
 * start (bench/init-micro.ts --instructions); only the docs test imports this file.
 */
export const SETTING_DESCRIPTIONS: Readonly<Record<(typeof SETTINGS)[number]['name'], string>> = {
  AFTER_RESPONSE_DEADLINE_MARGIN_MS:
    "How long before the invoke's deadline the jobs' `signal` aborts and the extension releases, so Lambda never times out.",
  AFTER_RESPONSE_ABORT_GRACE_MS:
    "How long jobs get, after their `signal` aborted, to stop (tell the user, cancel an upload) before the release; the release comes earlier if they all settle. Must be at least 50 ms below the margin; when it is not (e.g. a margin set to 200 with the default grace 250), half the margin is used (under a 100 ms margin, the margin − 50 ms).",
  AFTER_RESPONSE_CONCURRENCY:
    'How many job functions of one invoke run at once (`Infinity` or an integer ≥ 1). Promise jobs are always tracked.',
  AFTER_RESPONSE_LOG_LEVEL:
    "Lowest level logged (`TRACE` … `FATAL`), also for the client's own lines (no layer, Node child processes, worker threads). Unset or empty: `AWS_LAMBDA_LOG_LEVEL` when `AWS_LAMBDA_LOG_FORMAT` is `JSON`, else `INFO`.",
  AFTER_RESPONSE_DISABLED:
    '`true` turns the extension off: it does not register, and jobs run in-process unheld.',
  AFTER_RESPONSE_FALLBACK_IDLE_MS:
    "Best-effort mode only (the runtime's progress cannot be observed): the handler counts as done after this long without new jobs.",
  AFTER_RESPONSE_METRICS:
    '`emf` writes one CloudWatch Embedded Metric Format line per invoke that had jobs or a flusher that failed or was abandoned: `JobsSucceeded`, `JobsFailed`, `JobsAbandoned`, `FlushersFailed`, `FlushersAbandoned` (Count) and `PostResponseDuration` (Milliseconds, response posted → release), dimension `FunctionName`. `off` writes none.',
  AFTER_RESPONSE_METRICS_NAMESPACE:
    'The CloudWatch namespace of those metrics (1–255 characters: letters, digits, `.-_/#:` and spaces; not starting with `AWS/`).',
  AFTER_RESPONSE_REQUEST_CONTEXT:
    "Frameworks' request contexts the extension provides, a comma list: `next` (Next.js `after()`), `vercel` (`@vercel/functions` `waitUntil()`, `getDeadline()`; some libraries take it to mean \"on Vercel\", so opt in), or `none`. `vercel` alone drops `next`: list both (`next,vercel`) when the function also runs Next.js. A symbol another library already defined is left alone.",
  AFTER_RESPONSE_ATTRIBUTION:
    "How work is attributed to an invoke (case-insensitive). `async-context` follows the async context: a job a timer or callback of a released invoke enqueues is that invoke's, runs unheld, and a WARN names it; the extension's `AsyncLocalStorage` makes every promise of the process cost ~78 ns more on nodejs22.x (+0.19 ms of CPU for ~1,150 an invoke; ~nothing on nodejs24.x: bench/results/promise-tax.md), and ~4 KB of allocation an invoke with ten jobs, which moves where V8 grows the young generation (bench/results/memory-attribution.md, section 14). `invoke` enables no `AsyncLocalStorage` (on-demand functions with a Runtime API only; elsewhere `async-context` is used, and the DEBUG line `after-response extension started` says which is in effect): work belongs to the invoke in progress, else the next one, which holds it and whose request id its context then carries, with no WARN.",
  AFTER_RESPONSE_MALLOC_TRIM:
    "`true` (or `on`) gives memory the process freed back to the kernel (glibc's `malloc_trim(0)`) at the release of the 32nd, 64th, 128th and 256th invoke, with jobs or without, then of every 256th: memory V8's compilers used and freed, which glibc otherwise keeps and Lambda counts (25 MB of a realistic nodejs24.x function without the layer at 128 MB, 20 MB at 512 MB; ~1 MB on nodejs22.x). A trim takes 0.1–1.1 ms before that release, also under 128 MB's CPU share (billed with it), never at a release for the deadline, and not on Lambda Managed Instances (no releases). `false` (or `off`) never loads the native module that does it.",
};
