// `npm run docs:api`: regenerates docs/api.md from the client's doc comments (see api-page.ts).
import { writeFileSync } from 'node:fs';
import { API_PAGE, renderApiPage } from './api-page.ts';

try {
  writeFileSync(API_PAGE, await renderApiPage());
  console.log(`wrote ${API_PAGE}`);
} catch (error) {
  console.error(`docs:api: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
