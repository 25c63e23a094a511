// Builds the Next.js fixture (test/fixtures/next-app) with `next build` (standalone output) once,
// and caches the function dir it becomes in ~/.cache/lambda-after-response/next-app-<hash>, keyed
// by the fixture's sources and the next/react versions. Run by provision.sh (`npm test`), and by
// the tests that need it when missing. A build takes 1–3 minutes on 2 cores; a cache hit, none.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  for (const path of files(fixtureDir)) hash.update(relative(fixtureDir, path)).update('\0').update(readFileSync(path)).update('\0');
  hash.update(`next@${version('next')} react@${version('react')} react-dom@${version('react-dom')}`);
  return hash.digest('hex').slice(0, 16);
}

/** The function dir (mount it at /var/task; handler `lambda.handler`), built now if not cached. */
export function ensureNextApp(log: (line: string) => void = (line) => console.log(line)): string {
  const key = nextAppKey();
  const cacheDir = join(process.env.AFTER_RESPONSE_CACHE ?? join(homedir(), '.cache', 'lambda-after-response'), `next-app-${key}`);
  const taskDir = join(cacheDir, 'task');
  if (existsSync(join(cacheDir, '.complete'))) return taskDir;
  // Built inside the repo so Next resolves next/react from its node_modules and traces them.
  const buildDir = join(repoRoot, '.next-build', key);
  log(`next-app: building the Next.js ${version('next')} fixture with \`next build\` (standalone) in ${buildDir}; cached as ${cacheDir}`);
  const started = Date.now();
  rmSync(buildDir, { recursive: true, force: true });
  cpSync(fixtureDir, buildDir, { recursive: true });
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'next'), ['build'], {
    cwd: buildDir, stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_FIXTURE_TRACING_ROOT: repoRoot, NODE_ENV: 'production' },
  });
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  cpSync(join(buildDir, '.next', 'standalone'), taskDir, { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(taskDir, 'next-app.json'), JSON.stringify({ appDir: relative(repoRoot, buildDir) }));
  cpSync(join(fixtureDir, 'lambda.mjs'), join(taskDir, 'lambda.mjs'));
  writeFileSync(join(cacheDir, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(buildDir, { recursive: true, force: true });
  log(`next-app: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return taskDir;
}

