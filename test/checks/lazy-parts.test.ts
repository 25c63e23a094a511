// The layer's lazily required files (build.sh): the code each carries is in it and not in the
// bundle compiled at every cold start (extension.mjs), which requires it at its first use only
// (extension/main.ts). Reads the built layer in dist/ (bash build.sh; npm test runs it first).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', 'dist', 'layer', 'lambda-after-response');

function read(file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run bash build.sh (npm test does)`);
  return readFileSync(path, 'utf8');
}

/** Each lazy file, with text only its code contains (a log message, an EMF key). */
const LAZY: ReadonlyArray<[file: string, what: string, markers: readonly string[]]> = [
  ['socket.cjs', "the socket's server and spawn hook", ['the after-response socket is off, jobs of child processes run unheld', 'cannot listen on']],
  ['reporting.cjs', 'tasks handed off at SIGTERM', ['handing off unfinished tasks to their queue', 'unfinished tasks handed off to their queue']],
  ['reporting.cjs', 'the EMF metric lines', ['CloudWatchMetrics', '_aws']],
];

describe('lazily required files of the layer', () => {
  const bundle = read('extension.mjs');

  it.each(LAZY)('%s carries %s, and extension.mjs does not', (file, _what, markers) => {
    const lazy = read(file);
    for (const marker of markers) {
      expect(lazy.includes(marker), `${file} contains ${JSON.stringify(marker)}`).toBe(true);
      expect(bundle.includes(marker), `extension.mjs contains ${JSON.stringify(marker)}`).toBe(false);
    }
  });

  it('extension.mjs names each, to require it beside itself', () => {
    for (const file of new Set(LAZY.map(([name]) => name))) expect(bundle).toContain(`"${file}"`);
  });
});
