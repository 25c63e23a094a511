// docs/api.md is generated from the doc comments of the client's entry points (npm run docs:api,
// scripts/api-page.ts): rendered afresh into a temporary directory, it must equal the committed page.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { API_PAGE, renderApiPage } from '../../scripts/api-page.ts';

test('docs/api.md is current with the doc comments of the public entry points', async () => {
  const fresh = await renderApiPage();
  expect(readFileSync(API_PAGE, 'utf8'), 'docs/api.md is stale: run npm run docs:api and commit it').toBe(fresh);
});

// The examples agree with docs/tasks.md: `handleTaskBatch` gets Lambda's `context` (the batch's
// budget and request id), and a payload is built so that a missing field is not `undefined`.
test('every handleTaskBatch call in the docs and the README passes context; no example enqueues event fields as they are', () => {
  const root = join(import.meta.dirname, '..', '..');
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const calls = pages.flatMap((page) => [...readFileSync(join(root, page), 'utf8').matchAll(/handleTaskBatch\(([^)]*)\)/g)].map((m) => ({ page, args: m[1] ?? '' })));
  expect(calls.filter(({ args }) => args.trim() !== '' && !args.includes('context')), 'pass Lambda\'s context').toEqual([]);
  const raw = pages.filter((page) => /\.enqueue\(\{ \w+: event\.\w+ \}\)/.test(readFileSync(join(root, page), 'utf8')));
  expect(raw, 'an event field may be undefined, which enqueue refuses').toEqual([]);
});
