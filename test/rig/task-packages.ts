// Ships real npm packages with a fixture function: copies a package and the packages its
// `dependencies`, `peerDependencies` (npm installs the non-optional ones) and installed
// `optionalDependencies` need, as Node would resolve them from
// where they sit, into <taskDir>/node_modules (the function's /var/task/node_modules).
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Node's lookup: <dir>/node_modules/<name>, then each parent's, never above `root`. */
function resolvePackage(name: string, fromDir: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Where a package goes under the task's node_modules: its path below the first node_modules, or its name. */
function destination(packageDir: string, name: string): string {
  const marker = `${sep}node_modules${sep}`;
  const at = packageDir.indexOf(marker);
  return at === -1 ? name : packageDir.slice(at + marker.length);
}

/**
 * Copies the package at `packageDir` and its dependency closure (looked up from `root`, e.g. the
 * repository, downwards) into `<taskDir>/node_modules`, keeping node_modules nesting, so
 * resolution in the function matches resolution here. Throws naming a required dependency
 * that is not installed. Returns the copied package dirs, relative to the task's node_modules.
 */
export function shipPackage(taskDir: string, packageDir: string, root: string): string[] {
  const seen = new Map<string, string>(); // source dir -> destination below node_modules
  const visit = (dir: string, name: string): void => {
    if (seen.has(dir)) return;
    seen.set(dir, destination(dir, name));
    const m = readManifest(dir);
    const optional = (dep: string): boolean => dep in (m.optionalDependencies ?? {}) || m.peerDependenciesMeta?.[dep]?.optional === true;
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies })) {
      const found = resolvePackage(dep, dir, root);
      if (found) visit(found, dep);
      else if (!optional(dep)) throw new Error(`cannot ship ${name}: its dependency ${dep} is not installed below ${relative(root, dir) || root}`);
    }
  };
  visit(packageDir, readManifest(packageDir).name ?? basename(packageDir));
  for (const [source, target] of seen) {
    // A package's own nested node_modules are copied only for the packages resolved into them.
    cpSync(source, join(taskDir, 'node_modules', target), {
      recursive: true,
      dereference: true,
      filter: (path) => relative(source, path).split(sep)[0] !== 'node_modules',
    });
  }
  return [...seen.values()];
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** The client's npm package built by build.sh (what a function bundling the client ships). */
export const CLIENT_PACKAGE_DIR = join(REPO_ROOT, 'dist', 'npm', 'lambda-after-response');

/**
 * Ships the installed packages `names` (resolved from the repository root) and their dependency
 * closures into `<taskDir>/node_modules`; `withClient` adds the built client package.
 * Throws naming a package that is not installed (run `npm ci`) or a client not built (`./build.sh`).
 */
export function installPackages(taskDir: string, names: readonly string[], options: { readonly withClient?: boolean } = {}): void {
  for (const name of names) {
    const dir = resolvePackage(name, REPO_ROOT, REPO_ROOT);
    if (!dir) throw new Error(`rig: package ${name} is not installed in ${REPO_ROOT}/node_modules; run npm ci (or add it to devDependencies)`);
    shipPackage(taskDir, dir, REPO_ROOT);
  }
  if (options.withClient) {
    if (!existsSync(join(CLIENT_PACKAGE_DIR, 'package.json'))) throw new Error(`${CLIENT_PACKAGE_DIR} is missing: run ./build.sh first`);
    shipPackage(taskDir, CLIENT_PACKAGE_DIR, REPO_ROOT);
  }
}

/** Copies a fixture dir's files into taskDir (next to its node_modules). */
export function copyFixture(fixtureDir: string, taskDir: string): void {
  cpSync(fixtureDir, taskDir, { recursive: true });
}
