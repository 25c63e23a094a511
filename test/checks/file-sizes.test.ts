// One concern per file: every source file of what ships (extension/, client/, shared/) stays
// within 200 lines (functions within 40 lines of code: eslint.config.js, test/checks/layer-rules).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const MAX_LINES = 200;

test(`every .ts file in extension/, client/ and shared/ has at most ${MAX_LINES} lines`, () => {
  const files = ['extension', 'client', 'shared'].flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)));
  expect(files.length).toBeGreaterThan(50);
  const over = files.map((file) => [file, readFileSync(join(root, file), 'utf8').split('\n').length - 1] as const).filter(([, lines]) => lines > MAX_LINES);
  expect(over).toEqual([]);
});
