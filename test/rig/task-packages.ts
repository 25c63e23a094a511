// Gives a test function real npm packages, the way a deployment package holds them: copies them
// (with their production dependencies, resolved like Node does) from the repo's node_modules into
// <taskDir>/node_modules, and the client's npm package built by build.sh (a bundled client).
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const rootModules = join(repoRoot, 'node_modules');
export const CLIENT_PACKAGE_DIR = join(repoRoot, 'dist', 'npm', 'lambda-after-response');

/** Where Node would find `name` from a package at `from` (its own node_modules, then each parent's). */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; dir.startsWith(rootModules) || dir === repoRoot; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === repoRoot) break;
  }
  throw new Error(`rig: package ${name} (needed from ${relative(repoRoot, from) || '.'}) is not installed; run npm ci`);
}

/** Every package dir `names` need at run time: themselves and their `dependencies`, transitively. */
function closure(names: readonly string[]): Set<string> {
  const found = new Set<string>();
  const visit = (name: string, from: string): void => {
    const dir = resolvePackage(name, from);
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir);
  };
  for (const name of names) visit(name, repoRoot);
  return found;
}

/** Copies `names` (and what they depend on) into taskDir/node_modules; `withClient` adds lambda-after-response. */
export function installPackages(taskDir: string, names: readonly string[], options: { readonly withClient?: boolean } = {}): void {
  const dirs = [...closure(names)].sort(); // parents before the packages nested inside them
  const copied: string[] = [];
  for (const dir of dirs) {
    if (copied.some((parent) => dir.startsWith(`${parent}/`))) continue; // came with its parent
    cpSync(dir, join(taskDir, 'node_modules', relative(rootModules, dir)), { recursive: true, dereference: true });
    copied.push(dir);
  }
  if (options.withClient) {
    if (!existsSync(join(CLIENT_PACKAGE_DIR, 'package.json'))) throw new Error(`${CLIENT_PACKAGE_DIR} is missing: run ./build.sh first`);
    cpSync(CLIENT_PACKAGE_DIR, join(taskDir, 'node_modules', 'lambda-after-response'), { recursive: true });
  }
}

/** Copies a fixture dir's files into taskDir (next to its node_modules). */
export function copyFixture(fixtureDir: string, taskDir: string): void {
  cpSync(fixtureDir, taskDir, { recursive: true });
}
