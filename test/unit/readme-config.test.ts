import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../extension/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function configurationRows(): Array<{ name: string; defaultValue: string; meaning: string }> {
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `AFTER_RESPONSE_'))
    .map((line) => {
      const [, name = '', defaultValue = '', meaning = ''] = line.split('|').map((cell) => cell.trim());
      return { name: name.replaceAll('`', ''), defaultValue: defaultValue.replaceAll('`', ''), meaning };
    });
}

describe('README configuration table', () => {
  it('lists exactly the variables the extension reads, in order, with their defaults and meanings', () => {
    const documented = configurationRows();
    const actual = SETTINGS.map((setting) => ({ name: setting.name, defaultValue: String(setting.default), meaning: setting.description }));
    expect(documented).toEqual(actual);
  });

  it('mentions no AFTER_RESPONSE_ variable that the code does not know', () => {
    // AFTER_RESPONSE_CACHE: the test rig's tool cache (test/rig/tools.ts, provision.sh), not the layer's.
    const known = new Set<string>([...SETTINGS.map((s) => s.name), 'AFTER_RESPONSE_EXTENSION_PID', 'AFTER_RESPONSE_SOCKET', 'AFTER_RESPONSE_CACHE']);
    const mentioned = new Set(readme.match(/AFTER_RESPONSE_[A-Z_]+/g));
    expect([...mentioned].filter((name) => !known.has(name))).toEqual([]);
  });
});
