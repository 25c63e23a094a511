import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectPeer, startSocketRig } from './socket-helpers.ts';

/** Small seeded PRNG (mulberry32): a failing run can be replayed with its logged seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const text = (max: number) => Array.from({ length: int(max) }, () => String.fromCodePoint(pick([int(128), 0x20 + int(95), 0xe9, 0x1f600, 0xd800 + int(0x800), 0x2028]))).join('');
  const valid = (): string => pick([
    () => JSON.stringify({ v: 1, op: 'open', name: text(40) || 'x' }),
    () => JSON.stringify({ v: 1, op: 'finish', id: `j${int(5000)}`, ok: rand() < 0.5 }),
    () => JSON.stringify({ v: 1, op: 'finish', id: `j${int(5000)}`, ok: false, message: text(200) }),
    () => JSON.stringify({ v: 1, op: 'open', name: 'n', ticket: text(20) }),
  ])();
  const weird = (): string => pick([
    '{"__proto__":{"v":1,"op":"open","name":"p"}}', '{"v":"1","op":"open","name":"s"}', '{"v":1.0,"op":"open","name":"f"}',
    '{"v":1,"op":"open","name":{"toString":"x"}}', 'null', '1e999', '"open"', '[]', '{}', '{"v":1}', '{"v":1,"op":null}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`, '{"v":1,"op":"open","name":"a","name":"b"}', '\u0000\u0001\u0002', '\r', ' ',
  ]);
  const mutate = (line: string): string => {
    const chars = [...line];
    for (let k = 1 + int(4); k > 0; k--) {
      const at = int(chars.length + 1);
      const op = int(4);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, String.fromCharCode(int(256)));
      else if (op === 2) chars.splice(at, 0, ...chars.slice(at, at + int(20)));
      else chars.splice(at, 1, pick(['"', '{', '}', ':', ',', '\\', '\n', '1']));
    }
    return chars.join('');
  };
  const garbage = (): Buffer => Buffer.from(Array.from({ length: int(300) }, () => int(256)));
  /** One message as bytes: valid, weird, mutated, raw garbage, or (rarely) an oversized line. */
  return (): Buffer => {
    const kind = rand();
    if (kind < 0.001) return Buffer.from(`${'y'.repeat(70 * 1024)}\n`);
    if (kind < 0.15) return garbage();
    const line = kind < 0.45 ? valid() : kind < 0.6 ? weird() : mutate(valid());
    return Buffer.from(`${line}\n`);
  };
}

/** A hostile peer: writes its messages in random chunks, reads replies, and may vanish mid-stream. */
function hostilePeer(path: string, messages: Buffer[], rand: () => number, replies: unknown[]): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = createConnection(path);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (buffered + text).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) replies.push(JSON.parse(line));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    const bytes = Buffer.concat(messages);
    const ending = rand();
    const stopAt = ending < 0.3 ? Math.floor(rand() * bytes.length) : bytes.length;
    let offset = 0;
    const pump = (): void => {
      while (offset < stopAt) {
        const size = 1 + Math.floor(rand() * 4096);
        const chunk = bytes.subarray(offset, Math.min(stopAt, offset + size));
        offset += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (ending < 0.3) socket.destroy(); // abrupt: mid-line, unread replies
      else if (ending < 0.6) socket.end(); // half-open
      else setTimeout(() => socket.destroy(), 50 + Math.floor(rand() * 200)).unref();
    };
    socket.once('connect', pump);
  });
}

let rig: Awaited<ReturnType<typeof startSocketRig>> | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the extension socket under hostile input', () => {
  it('keeps serving through thousands of random, mutated and oversized messages and resets, and still releases at the deadline', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    console.log(`socket fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const rand = random(seed);
    const next = generator(rand);
    // Generated up front: building them blocks the loop, which would delay the deadline timer.
    const waves = Array.from({ length: 4 }, () => Array.from({ length: 25 }, () => Array.from({ length: 120 + Math.floor(rand() * 60) }, next)));
    const sent = waves.flat(2).length;
    rig = await startSocketRig({ marginMs: 250 });
    const { path, invoke, logger } = rig;
    const current = invoke(3000);
    const stuck = await connectPeer(path);
    await stuck.request({ v: 1, op: 'open', name: 'never-finished' });
    current.handlerDone();

    const replies: unknown[] = [];
    for (const wave of waves) await Promise.all(wave.map((messages) => hostilePeer(path, messages, rand, replies)));
    console.log(`socket fuzz: ${sent} messages sent, ${replies.length} replies`);
    expect(sent).toBeGreaterThan(10_000);
    for (const reply of replies) expect(reply).toMatchObject({ v: 1 });

    const release = await current.released;
    expect(release.reason).toBe('deadline');
    const releasedAtEpoch = performance.timeOrigin + release.at;
    console.log(`socket fuzz: released ${(current.deadlineMs - releasedAtEpoch).toFixed(1)} ms before the deadline (margin 250 ms)`);
    expect(releasedAtEpoch).toBeGreaterThanOrEqual(current.deadlineMs - 250 - 5);
    expect(releasedAtEpoch).toBeLessThan(current.deadlineMs);
    expect(logger.records).toContainEqual(expect.objectContaining({ message: expect.stringContaining('abandoning'), jobs: expect.arrayContaining([expect.stringContaining('never-finished')]) }));
    stuck.socket.destroy();

    const healthy = await connectPeer(path);
    const after = invoke();
    const { id } = await healthy.request({ v: 1, op: 'open', name: 'after-the-storm' });
    after.handlerDone();
    expect(await healthy.request({ v: 1, op: 'finish', id, ok: true })).toEqual({ v: 1, ok: true });
    expect((await after.released).reason).toBe('settled');
    healthy.socket.destroy();
  }, 30_000);
});
