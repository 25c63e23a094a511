// docs/api.md is generated from the doc comments of the client's entry points (npm run docs:api,
// scripts/api-page.ts): rendered afresh into a temporary directory, it must equal the committed page.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { API_PAGE, renderApiPage } from '../../scripts/api-page.ts';

test('docs/api.md is current with the doc comments of the public entry points', async () => {
  const fresh = await renderApiPage();
  expect(readFileSync(API_PAGE, 'utf8'), 'docs/api.md is stale: run npm run docs:api and commit it').toBe(fresh);
});
