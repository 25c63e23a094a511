// Free-port probing for RIE, which cannot listen on port 0 and report back.
import { connect, createServer } from 'node:net';

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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something listens on the port; rejects after timeoutMs or when `gone()` says so. */
export async function waitForPort(port: number, timeoutMs: number, gone: () => string | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await canConnect(port)) return;
    const why = gone();
    if (why !== undefined) throw new Error(`port ${port} never opened: ${why}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}
