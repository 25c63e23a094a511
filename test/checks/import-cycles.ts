// Import cycles among the sources (client/, extension/, shared/), type-only imports included:
// every relative import and re-export, as TypeScript's preprocessor reads them, forms the graph.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The relative imports of each `.ts` file under `dirs` (paths relative to `root`). */
export function importGraph(root: string, dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const path = join(root, dir, file);
      const imports = ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles
        .map((ref) => ref.fileName).filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(root, resolve(dirname(path), spec)));
      graph.set(relative(root, path), imports);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as the files in order (the first repeated at the end). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
