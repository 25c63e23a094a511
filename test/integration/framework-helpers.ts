// Set-up for the framework-bridge tests: a function dir holding a fixture from
// test/fixtures/frameworks, the real framework packages and the bundled client.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFixture, installPackages } from '../rig/task-packages.ts';
import { writeTaskDir } from '../rig/task-dir.ts';
import { APP_DIR } from './product-helpers.ts';

const FRAMEWORKS_DIR = fileURLToPath(new URL('../fixtures/frameworks', import.meta.url));

/** A function dir with the framework fixtures, `packages` from npm and lambda-after-response bundled in. */
export function frameworkTaskDir(packages: readonly string[]): string {
  const dir = writeTaskDir({});
  copyFixture(FRAMEWORKS_DIR, dir);
  copyFileSync(join(APP_DIR, 'shared.mjs'), join(dir, 'shared.mjs'));
  installPackages(dir, packages, { withClient: true });
  return dir;
}

/** An API Gateway HTTP API (payload 2.0) / Function URL event. */
export function httpEvent(method: string, path: string, body: unknown): Record<string, unknown> {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', cookies: [],
    headers: { host: 'function.test', 'content-type': 'application/json' },
    body: JSON.stringify(body), isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012', apiId: 'fn', domainName: 'function.test', domainPrefix: 'function', requestId: 'apigw-id',
      routeKey: '$default', stage: '$default', time: '30/Nov/2026:00:00:00 +0000', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'rig' },
    },
  };
}
