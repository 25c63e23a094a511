// Builds the Next.js fixture (test/fixtures/next-app) once — `next build` (standalone output) and
// `open-next build` with the client's OpenNext wrapper — and caches the function dirs in
// ~/.cache/lambda-after-response/next-app-<hash>, keyed by the fixture's and the client's sources
// and the next/react/OpenNext versions. Run by provision.sh (`npm test`), and by
// the tests that need it when missing. Both builds take about a minute on 2 cores; a cache hit, none.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir as toolsCacheDir } from './tools.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const fixtureDir = join(repoRoot, 'test', 'fixtures', 'next-app');

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The cache key: every fixture file (path and bytes) and the versions that shape the build. */
export function nextAppKey(): string {
  const hash = createHash('sha256');
  // The OpenNext build bundles the client's sources (client/bridges/opennext.ts and what it imports, shared/ too).
  for (const dir of [fixtureDir, join(repoRoot, 'client'), join(repoRoot, 'shared')]) {
    // lambda.mjs is not part of the build: placed next to it at every start (withHandlers).
    for (const path of files(dir).filter((f) => f !== join(fixtureDir, 'lambda.mjs'))) hash.update(relative(repoRoot, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  hash.update(OPEN_NEXT_CONFIG);
  hash.update(`next@${version('next')} react@${version('react')} react-dom@${version('react-dom')} @opennextjs/aws@${version('@opennextjs/aws')}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The fixture's OpenNext config: OpenNext's own `aws-lambda` wrapper wrapped by `withWaitUntil`
 * (as docs/frameworks.md shows), or — with OPEN_NEXT_DEFAULT_WRAPPER=true in the function's environment, for
 * the benchmark's baseline — OpenNext's wrapper as is (it awaits after() before responding).
 */
const OPEN_NEXT_CONFIG = `import { withWaitUntil } from './lambda-after-response-opennext.mjs';
export default {
  buildCommand: 'npx next build',
  default: {
    override: {
      wrapper: async () => {
        const { default: awsLambda } = await import('@opennextjs/aws/overrides/wrappers/aws-lambda.js');
        return process.env.OPEN_NEXT_DEFAULT_WRAPPER === 'true' ? awsLambda : withWaitUntil(awsLambda);
      },
    },
  },
};
`;

/**
 * Function dirs (mount at /var/task): `standalone` (handler `lambda.handler`, or the documented
 * example `next-standalone-example.handler` with NEXT_STANDALONE_APP_DIR = `standaloneAppDir`)
 * and `openNext` (handler `index.handler`).
 */
export interface NextApp {
  readonly standalone: string;
  /** Where server.js is in `standalone`, relative to it (the fixture is nested, as in a monorepo). */
  readonly standaloneAppDir: string;
  readonly openNext: string;
}

const EXAMPLE_HANDLER = join(repoRoot, 'examples', 'next-standalone', 'handler.mjs');

/**
 * Places the handlers — examples/next-standalone/handler.mjs and the tests' adapter over it
 * (lambda.mjs) — in the (cached) standalone dir: not part of the build, so not in the key.
 */
function withHandlers(standalone: string, openNext: string): NextApp {
  for (const [source, name] of [[EXAMPLE_HANDLER, 'next-standalone-example.mjs'], [join(fixtureDir, 'lambda.mjs'), 'lambda.mjs']] as const) {
    const target = join(standalone, name);
    const content = readFileSync(source);
    if (!existsSync(target) || !readFileSync(target).equals(content)) writeFileSync(target, content);
  }
  const { appDir } = JSON.parse(readFileSync(join(standalone, 'next-app.json'), 'utf8')) as { appDir: string };
  return { standalone, standaloneAppDir: appDir, openNext };
}

/** The built fixture, built now (about a minute) if not cached. */
export function ensureNextApp(log: (line: string) => void = (line) => console.log(line)): NextApp {
  const key = nextAppKey();
  const cacheDir = join(toolsCacheDir(), `next-app-${key}`);
  const app = { standalone: join(cacheDir, 'standalone'), openNext: join(cacheDir, 'open-next') };
  // Complete only with both builds in place: a build interrupted, or raced by another process
  // building the same key, once left `.complete` without `standalone/` (every later run failed).
  if (existsSync(join(cacheDir, '.complete')) && existsSync(join(app.standalone, 'next-app.json')) && existsSync(app.openNext)) return withHandlers(app.standalone, app.openNext);
  log(`next-app: building the Next.js ${version('next')} fixture (next build, standalone; open-next build); cached as ${cacheDir}`);
  const started = Date.now();
  // Built aside, then renamed into place: a reader never sees a half-built cache dir.
  const staging = `${cacheDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const standaloneBuild = build(`${key}-standalone`, ['next', 'build']);
  cpSync(join(standaloneBuild, '.next', 'standalone'), join(staging, 'standalone'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(staging, 'standalone', 'next-app.json'), JSON.stringify({ appDir: relative(repoRoot, standaloneBuild) }));
  const openNextBuild = build(`${key}-open-next`, ['open-next', 'build', '--config-path', 'open-next.config.mjs'], {
    'open-next.config.mjs': OPEN_NEXT_CONFIG,
    // OpenNext takes the dir of the nearest package.json as the app (else it would build the repo root).
    'package.json': JSON.stringify({ name: 'next-app-fixture', private: true, scripts: { build: 'next build' } }),
  });
  cpSync(join(openNextBuild, '.open-next', 'server-functions', 'default'), join(staging, 'open-next'), { recursive: true, verbatimSymlinks: true });
  for (const dir of [standaloneBuild, openNextBuild]) rmSync(dir, { recursive: true, force: true });
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(cacheDir, { recursive: true, force: true });
  renameSync(staging, cacheDir);
  log(`next-app: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return withHandlers(app.standalone, app.openNext);
}

/** Copies the fixture into <repo>/.next-build/<name> (so next/react resolve from the repo's node_modules) and runs a build tool there. */
function build(name: string, [tool = '', ...args]: string[], extraFiles: Record<string, string> = {}): string {
  const buildDir = join(repoRoot, '.next-build', name);
  rmSync(buildDir, { recursive: true, force: true });
  cpSync(fixtureDir, buildDir, { recursive: true });
  for (const [file, content] of Object.entries(extraFiles)) writeFileSync(join(buildDir, file), content);
  // The client as a function's bundle holds it (provisioning runs before build.sh makes dist/).
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'esbuild'), [join(repoRoot, 'client', 'bridges', 'opennext.ts'), '--bundle', '--platform=node', '--format=esm', '--log-level=warning', `--outfile=${join(buildDir, 'lambda-after-response-opennext.mjs')}`]);
  execFileSync(join(repoRoot, 'node_modules', '.bin', tool), args, {
    cwd: buildDir, stdio: ['ignore', process.stderr, 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_FIXTURE_TRACING_ROOT: repoRoot, NODE_ENV: 'production' },
  });
  return buildDir;
}

