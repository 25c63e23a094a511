// What of the layer's bundles a function never runs, by source module: V8's precise coverage
// (NODE_V8_COVERAGE) of figure 6's trivial function under the rig after N invokes of ten jobs, the
// functions never called (outermost only) mapped back to their modules through a source map of the
// same build. V8 pre-parses every function of a script when it loads it, called or not
// (bench/bundle-parse.ts prices that), so these bytes cost at every cold start and do nothing.
// `npx vite-node bench/bundle-coverage.ts -- [--profile P] [--invokes N]` (defaults: nodejs24.x, 1,000)
import { mkdtempSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runDir } from '../test/rig/run-dir.ts';
import { invokeOk, startFunction } from './sandboxes.ts';
import { runScript, scriptArgs } from './run-script.ts';
import type { Profile } from './types.ts';
import { neverCalled, type ScriptCoverage } from './coverage-gaps.ts';


function parse(argv: readonly string[]): { profile: Profile; invokes: number } {
  const args = { profile: 'nodejs24.x' as Profile, invokes: 1000 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--profile') args.profile = argv[++i] as Profile;
    else if (argv[i] === '--invokes') args.invokes = Number(argv[++i]);
    else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  return args;
}

/** The extension's bundle built again with a source map, as build.sh builds it (checked: same code). */
function mappedExtension(): { code: string; map: SourceMap } {
  const dir = mkdtempSync(join(runDir(), 'bundle-coverage-'));
  const outfile = join(dir, 'extension.mjs');
  execFileSync('node_modules/.bin/esbuild', ['extension/main.ts', '--bundle', '--platform=node', '--target=node22', '--log-level=warning',
    '--legal-comments=none', '--format=esm', '--minify-whitespace', '--minify-syntax', '--define:LAYER_VERSION="0.1.0"', '--sourcemap=external', `--outfile=${outfile}`]);
  const code = readFileSync(outfile, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  return { code, map: new SourceMap(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) };
}

function sourceOf(code: string, map: SourceMap, offset: number): string {
  const before = code.slice(0, offset);
  const line = before.split('\n').length - 1;
  const entry = map.findEntry(line, offset - (before.lastIndexOf('\n') + 1));
  return 'originalSource' in entry ? entry.originalSource.replace(/^.*?\/(extension|shared|client)\//, '$1/') : '?';
}

function report(scripts: ScriptCoverage[], { code, map }: { code: string; map: SourceMap }): void {
  for (const script of scripts) {
    const gaps = neverCalled(script);
    const bytes = gaps.reduce((n, [a, b]) => n + b - a, 0);
    const name = script.url.replace('file:///opt/', '');
    const size = script.functions[0]?.ranges[0]?.endOffset ?? 0;
    console.log(`${name}: ${size} B, ${script.functions.length} functions; never called: ${gaps.length} (outermost), ${bytes} B (${((100 * bytes) / size).toFixed(0)} %)`);
    if (!name.endsWith('/extension.mjs')) continue;
    if (size !== code.length) throw new Error(`dist's extension.mjs (${size} B) is not this build (${code.length} B): run ./build.sh`);
    const byModule = new Map<string, number>();
    for (const [a, b] of gaps) {
      const module = sourceOf(code, map, a);
      byModule.set(module, (byModule.get(module) ?? 0) + b - a);
    }
    for (const [module, n] of [...byModule].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(6)} B  ${module}`);
  }
}

async function main(): Promise<void> {
  const args = parse(scriptArgs);
  const mapped = mappedExtension();
  const box = await startFunction(args.profile, { handler: 'coverage.handler', layer: true, memorySizeMb: 128, env: { NODE_V8_COVERAGE: '/tmp/v8-coverage' } });
  try {
    for (let i = 0; i < args.invokes; i++) await invokeOk(box, {});
    const r = await invokeOk(box, { coverage: true });
    report(JSON.parse(r.body) as ScriptCoverage[], mapped);
  } finally {
    await box.stop();
  }
}

runScript(main);
