// A minimal peer of the extension's socket, as `after-response-hold` speaks to it: open a job,
// finish it as soon as its id is known, close. Used to measure what a connection leaves behind.
import { createConnection } from 'node:net';

/** Opens one job named `name` on the socket at `path`, finishes it with `ok: true`, closes; resolves on close. */
export function openFinishClose(path: string, name = 'thumbnails'): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let buffer = '';
    socket.on('data', (data) => {
      buffer += String(data);
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const reply = JSON.parse(line) as { id?: string };
        if (reply.id) socket.write(`${JSON.stringify({ v: 1, op: 'finish', id: reply.id, ok: true })}\n`);
        else socket.end();
      }
    });
    socket.on('close', () => resolve());
    socket.write(`${JSON.stringify({ v: 1, op: 'open', name })}\n`);
  });
}
