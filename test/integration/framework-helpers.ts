// Set-up for the framework-bridge tests: a function dir holding a fixture from
// test/fixtures/frameworks, the real framework packages and the bundled client.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFixture, installPackages } from '../rig/task-packages.ts';
import { writeTaskDir } from '../rig/task-dir.ts';
import { APP_DIR } from './product-helpers.ts';

export { httpEvent } from '../rig/http-event.ts';

const FRAMEWORKS_DIR = fileURLToPath(new URL('../fixtures/frameworks', import.meta.url));

/**
 * A function dir with the framework fixtures, `packages` from npm and lambda-after-response
 * bundled in (unless `withClient: false`: then it comes from the layer, as for unbundled code).
 */
export function frameworkTaskDir(packages: readonly string[], options: { readonly withClient?: boolean } = {}): string {
  const dir = writeTaskDir({});
  copyFixture(FRAMEWORKS_DIR, dir);
  copyFileSync(join(APP_DIR, 'shared.mjs'), join(dir, 'shared.mjs'));
  installPackages(dir, packages, { withClient: options.withClient ?? true });
  return dir;
}
