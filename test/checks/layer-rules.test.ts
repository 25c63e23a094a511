// The layers' import rules and the function-size rule in eslint.config.js fire: a file breaking each rule, linted as if it
// sat in its folder (ESLint's own config, only these rules, no type information needed).
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { expect, test } from 'vitest';

const eslint = new ESLint({
  cwd: join(import.meta.dirname, '..', '..'),
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' || ruleId === 'no-restricted-globals' || ruleId === 'max-lines-per-function',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

test.each([
  ['extension/core/probe.ts', "import { createGuard } from '../runtime-hooks/guard.ts';", /core\/ imports only/],
  ['extension/core/probe.ts', "import type { Socket } from 'node:net';", /core\/ imports only/],
  ['extension/core/probe.ts', "import { createLogger } from '../../client/index.ts';", /core\/ imports only/],
  ['extension/core/probe.ts', 'export const pid = process.pid;', /touches no process/],
  ['extension/core/probe.ts', 'export const later = (run: () => void): void => void setImmediate(run);', /touches no process/],
  ['extension/core/probe.ts', 'export const host = Reflect.get(globalThis, Symbol.for("x"));', /touches no process/],
  ['shared/probe.ts', "import type { Lifecycle } from '../extension/core/lifecycle.ts';", /shared\/ imports nothing/],
  ['shared/probe.ts', "import { enqueueAfterResponse } from '../client/index.ts';", /shared\/ imports nothing/],
  ['client/hosts/probe.ts', "import type { Lifecycle } from '../../extension/core/lifecycle.ts';", /client\/ never imports extension/],
])('%s: `%s` is refused', async (filePath, code, message) => {
  const found = await problems(filePath, `${code}\nexport {};\n`);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(message);
});

test.each([
  ['extension/core/probe.ts', "import type { Invoke } from './invoke.ts';\nimport { settle } from '../../shared/settle.ts';"],
  ['shared/probe.ts', "import { settle } from './settle.ts';"],
  ['client/hosts/probe.ts', "import { settle } from '../../shared/settle.ts';\nimport { createClient } from '../client.ts';"],
  ['extension/socket/probe.ts', "import type { Lifecycle } from '../core/lifecycle.ts';\nexport const pid = process.pid;"],
])('%s: what its layer may import passes', async (filePath, code) => {
  expect(await problems(filePath, `${code}\nexport {};\n`)).toEqual([]);
});

/** A function of `lines` statements, with comments and blank lines between them (not counted). */
const functionOf = (lines: number): string => `export function probe(): number {\n  let n = 0;\n${Array.from({ length: lines - 4 }, () => '  n++;\n  // a comment\n\n').join('')}  return n;\n}\n`;

test.each(['extension/core/probe.ts', 'client/probe.ts', 'shared/probe.ts'])('%s: a function of 41 lines of code is refused, one of 40 passes', async (filePath) => {
  expect(await problems(filePath, functionOf(41))).toEqual([expect.stringMatching(/^max-lines-per-function: .*too many lines \(41\)/)]);
  expect(await problems(filePath, functionOf(40))).toEqual([]);
});
