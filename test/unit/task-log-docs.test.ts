// Every line client/tasks logs at INFO or above is in docs/observability.md's log table: its text
// up to the first interpolation (`task failed on attempt ${attempt}: …` → `task failed on attempt`)
// starts with a row's name (`task failed on attempt N: …`) at least up to its first ': ', or the
// row's name starts with it; and the reasons a `task sent` / `task LOST` line gives are named.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TASKS = join(ROOT, 'client', 'tasks');
const page = readFileSync(join(ROOT, 'docs', 'observability.md'), 'utf8');
const sources = readdirSync(TASKS).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(TASKS, f), 'utf8'));

// `logger.log('WARN', 'text'` or `#log('ERROR', \`text ${x}\``: the level and the literal's source.
const LOG_CALL = /(?:logger\.log|#log)\(\s*'(INFO|WARN|ERROR)',\s*(?:'((?:\\.|[^'\\])*)'|`((?:\\.|[^`\\])*)`)/g;

/** The message's fixed start: up to the first `${`, escapes undone, trailing spaces, colons and backticks dropped. */
function fixedStart(literal: string): string {
  return literal.split('${')[0]?.replace(/\\(.)/g, '$1').replace(/[\s`:]+$/, '') ?? '';
}

/** The names in the log table's first column (`task LOST: …` → `task LOST`; ` N` stays: `task failed on attempt N`). */
const rows = page.split('\n').filter((line) => line.startsWith('| `')).flatMap((line) => {
  const cell = line.split(' | ')[0] ?? '';
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').replace(/^…\s*/, '').replace(/[\s…:]+$/, ''));
});

/** Whether a row names `message`: it starts with the row's name, which covers its part before the first ': ', or the name starts with it. */
function named(message: string): boolean {
  const head = message.split(': ')[0] ?? message;
  return rows.some((row) => (message.startsWith(row) && row.length >= head.length) || row.startsWith(message));
}

const messages = sources.flatMap((source) => [...source.matchAll(LOG_CALL)].map((m) => ({ level: m[1], text: fixedStart(m[2] ?? m[3] ?? '') })));
// The reasons run-task.ts gives `#send` (`task sent to the queue: ${why}`).
const reasons = sources.flatMap((source) => [...source.matchAll(/'(it (?:never started|was still running|was interrupted|failed on attempt)[^'$]*|the runtime is shutting down)/g)].map((m) => fixedStart(m[1] ?? '')));

describe('docs/observability.md lists every task log line', () => {
  it('finds the lines and the rows (the scan itself works; a line the table lacks is not named)', () => {
    expect(rows).toContain('task failed on attempt N');
    expect(named('task LOST if this run does not finish')).toBe(true);
    expect(named('task LOST in a way no row names')).toBe(false);
    expect(messages.length).toBeGreaterThanOrEqual(20);
    expect(messages).toContainEqual({ level: 'ERROR', text: 'task failed on attempt' });
    expect(reasons).toContain('it was interrupted by the deadline (it settled after its signal aborted)');
  });

  it.each(messages.map((m) => m.text))('"%s" is in the log table', (text) => {
    expect(text.length).toBeGreaterThan(5);
    expect(named(text)).toBe(true);
  });

  it.each(reasons)('the reason "%s" is named', (reason) => {
    expect(page).toContain(reason.replace(/ \$\{.*$/, ''));
  });
});
