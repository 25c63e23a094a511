// ESLint over the whole repository with eslint.config.js (typescript-eslint, type-aware rules):
// any error fails `npm test` and is printed in full.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { expect, test } from 'vitest';

test('ESLint finds no problem (eslint.config.js)', async () => {
  const eslint = new ESLint({ cwd: join(import.meta.dirname, '..', '..') });
  const results = await eslint.lintFiles(['.']);
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount + r.fatalErrorCount, 0);
  const report = problems === 0 ? '' : await (await eslint.loadFormatter('stylish')).format(results);
  expect(report).toBe('');
  expect(results.length).toBeGreaterThan(100); // it did lint the repository
});
