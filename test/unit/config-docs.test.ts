// The configuration table in docs/configuration.md is the documentation of extension/core/config.ts's
// SETTINGS: same variables, order, defaults and meanings; and no page names a variable the code
// does not know.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_VARIABLES } from '../../client/tasks/index.ts';
import { SETTINGS } from '../../extension/core/config.ts';
import { SETTING_DESCRIPTIONS } from '../../extension/core/config-descriptions.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const configurationPage = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

function configurationRows(): Array<{ name: string; defaultValue: string; meaning: string }> {
  return configurationPage
    .split('\n')
    .filter((line) => line.startsWith('| `AFTER_RESPONSE_'))
    .map((line) => {
      const [, name = '', defaultValue = '', meaning = ''] = line.split('|').map((cell) => cell.trim());
      return { name: name.replaceAll('`', ''), defaultValue: defaultValue.replaceAll('`', ''), meaning };
    });
}

describe('the configuration table (docs/configuration.md)', () => {
  it('lists exactly the variables the extension reads, in order, with their defaults and meanings', () => {
    const documented = configurationRows();
    const actual = SETTINGS.map((setting) => ({ name: setting.name, defaultValue: String(setting.default), meaning: SETTING_DESCRIPTIONS[setting.name] }));
    expect(documented).toEqual(actual);
  });

  it.each(pages)('%s mentions no AFTER_RESPONSE_ variable that the code does not know', (page) => {
    // AFTER_RESPONSE_CACHE: the test rig's tool cache (test/rig/tools.ts, provision.sh), not the layer's.
    // TASK_VARIABLES: read by the client's tasks (docs/tasks.md), not by the extension.
    const known = new Set<string>([...SETTINGS.map((s) => s.name), ...TASK_VARIABLES, 'AFTER_RESPONSE_EXTENSION_PID', 'AFTER_RESPONSE_SOCKET', 'AFTER_RESPONSE_CACHE']);
    const mentioned = new Set(readFileSync(join(ROOT, page), 'utf8').match(/AFTER_RESPONSE_[A-Z_]+/g));
    expect([...mentioned].filter((name) => !known.has(name))).toEqual([]);
  });
});
