// Init cost of the preload outside the rig, robust to a busy machine: fresh node processes of
// both profiles' Node binaries, alternating the variants, each reporting its own CPU time
// (process.cpuUsage) and wall time (performance.now) when its stand-in runtime is ready, after
// the builtins the runtime clients load anyway (so the extension is not billed for loading them
// first). A local server answers `register` and holds `next`, like the Runtime API.
// `npx vite-node bench/init-micro.ts -- [--runs N] [--layer NAME=DIR]... [--rig-hook]` (default:
// dist/layer; a layer dir holding extension.cjs instead is preloaded with --require; --rig-hook preloads the rig's ESM layer-resolution hook first, as the rig's bootstrap does)
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { profileTools, rigDir } from '../test/rig/tools.ts';
import { RUNTIME_BUILTINS } from './runtime-builtins.ts';
import { LAYER_DIR } from './sandboxes.ts';
import { summarize } from './stats.ts';
import type { Profile } from './types.ts';

function standIn(profile: Profile): string {
  return `for (const m of ${JSON.stringify(RUNTIME_BUILTINS[profile])}) process.getBuiltinModule(m);
setTimeout(() => {
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ wallMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 }));
  process.exit(0);
}, 20);
`;
}

function apiServer(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => sockets.delete(socket)); // the child exits with its long-poll open
    socket.on('data', (chunk) => {
      if (chunk.toString('latin1').startsWith('POST /2020-01-01/extension/register')) {
        socket.write('HTTP/1.1 200 OK\r\nlambda-extension-identifier: x\r\ncontent-length: 2\r\n\r\n{}');
      } // next: held
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ port: typeof address === 'object' && address ? address.port : 0, close: () => { for (const s of sockets) s.destroy(); server.close(); } });
  }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  let runs = 25;
  let rigHook = false;
  const layers: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--rig-hook') rigHook = true;
    else if (argv[i] === '--layer') { const [n = '', d = ''] = (argv[++i] ?? '').split('='); layers.push([n, resolve(d)]); }
    else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  if (layers.length === 0) layers.push(['layer', LAYER_DIR]);
  const dir = mkdtempSync(join(tmpdir(), 'init-micro-'));
  writeFileSync(join(dir, 'empty.mjs'), 'export {};\n');
  const api = await apiServer();
  try {
    for (const profile of ['nodejs22.x', 'nodejs24.x'] as const) {
      const node = join(profileTools(profile).nodeDir, 'bin', 'node');
      const script = join(dir, `${profile}.mjs`);
      writeFileSync(script, standIn(profile));
      const variants: Array<[string, string]> = [['empty preload', join(dir, 'empty.mjs')], ...layers.map(([n, d]): [string, string] => [n, layerPreload(d)])];
      const out = new Map<string, { wall: number[]; cpu: number[] }>(variants.map(([n]) => [n, { wall: [], cpu: [] }]));
      for (let i = 0; i < runs; i++) {
        for (let k = 0; k < variants.length; k++) {
          const [name, preload] = variants[(k + i) % variants.length]!;
          const env = { PATH: process.env.PATH ?? '', AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.port}` };
          // Async child: the API server above must keep answering while the child runs.
          const text = await new Promise<string>((resolve, reject) => {
            const hook = rigHook ? [`--import=${join(rigDir, 'runtime', 'esm-layer-resolve.mjs')}`] : [];
            const child = spawnNode(node, [...hook, `${preload.endsWith('.cjs') ? '--require' : '--import'}=${preload}`, script], env);
            let data = '';
            child.stdout?.on('data', (c: Buffer) => (data += c.toString()));
            child.once('error', reject).once('close', () => resolve(data));
          });
          const r = JSON.parse(text) as { wallMs: number; cpuMs: number };
          out.get(name)?.wall.push(r.wallMs);
          out.get(name)?.cpu.push(r.cpuMs);
        }
      }
      const base = out.get('empty preload')!;
      for (const [name, r] of out) {
        const w = summarize(r.wall);
        const c = summarize(r.cpu);
        console.log(`${profile} ${name.padEnd(16)} ready at ${w.median.toFixed(2)} ms wall (Δ ${(w.median - summarize(base.wall).median).toFixed(2)}), CPU ${c.median.toFixed(2)} ms (Δ ${(c.median - summarize(base.cpu).median).toFixed(2)}; ${c.min.toFixed(1)}–${c.max.toFixed(1)}, n=${c.n})`);
      }
    }
  } finally {
    api.close();
  }
}

/** The layer's preload: extension.mjs (`--import`), or extension.cjs (`--require`) for a CommonJS build. */
function layerPreload(layerDir: string): string {
  const esm = join(layerDir, 'lambda-after-response', 'extension.mjs');
  return existsSync(esm) ? esm : join(layerDir, 'lambda-after-response', 'extension.cjs');
}

function spawnNode(node: string, args: string[], env: Record<string, string>): import('node:child_process').ChildProcess {
  return process.getBuiltinModule('node:child_process').spawn(node, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
