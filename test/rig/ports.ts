// Free-port probing for RIE, which cannot listen on port 0 and report back.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Picks `count` distinct ports that are free right now, away from the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const candidate = 20000 + Math.floor(Math.random() * 12000);
    if (!ports.includes(candidate) && (await probe(candidate))) ports.push(candidate);
  }
  return ports;
}

/** TCP ports on which process `pid` itself holds a listening socket (from /proc/net/tcp). */
export function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    }
  } catch {
    return new Set(); // process gone
  }
  const ports = new Set<number>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && f[9] !== undefined && inodes.has(f[9])) ports.add(parseInt((f[1] ?? '').split(':')[1] ?? '', 16));
  }
  return ports;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/**
 * Resolves once process `pid` itself listens on all `ports`. Checking ownership, not just that
 * something answers, keeps a sandbox from talking to another sandbox's RIE after a port race.
 */
export async function waitForListeners(pid: number, ports: number[], timeoutMs: number, gone: () => string | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const held = listeningPorts(pid);
    if (ports.every((p) => held.has(p))) return;
    const why = gone();
    if (why !== undefined) throw new Error(`ports ${ports.join(', ')} never opened: ${why}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`ports ${ports.join(', ')} did not open within ${timeoutMs} ms`);
}
