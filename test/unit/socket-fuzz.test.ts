import { createConnection, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { connectPeer, startSocketRig } from './socket-helpers.ts';

const PEERS = 700;
const CONCURRENT_PEERS = 50;
const MARGIN_MS = 250;
const GRACE_MS = 50;

const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
const jobId = fc.oneof({ weight: 4, arbitrary: fc.nat(5000).map((n) => `j${n}`) }, { weight: 1, arbitrary: text(10) });

/** Requests the extension accepts (their ids mostly unknown to it). */
const valid = fc.oneof(
  fc.record({ v: fc.constant(1), op: fc.constant('open'), name: text(40).map((s) => s || 'x') }),
  fc.record({ v: fc.constant(1), op: fc.constant('finish'), id: jobId, ok: fc.boolean() }),
  fc.record({ v: fc.constant(1), op: fc.constant('finish'), id: jobId, ok: fc.constant(false), message: text(200) }),
  fc.record({ v: fc.constant(1), op: fc.constant('open'), name: fc.constant('n'), ticket: text(20) }),
).map((request) => JSON.stringify(request));

/** Objects that are almost requests: every field may be missing or of any JSON type. */
const nearMiss = fc.record({
  v: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })), op: fc.oneof(fc.constantFrom('open', 'finish', 'close'), fc.jsonValue({ maxDepth: 1 })),
  name: fc.jsonValue({ maxDepth: 2 }), id: fc.oneof(jobId, fc.jsonValue({ maxDepth: 1 })), ok: fc.jsonValue({ maxDepth: 1 }), message: fc.jsonValue({ maxDepth: 1 }),
}, { requiredKeys: [] }).map((request) => JSON.stringify(request));

const weird = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"v":1,"op":"open","name":"p"}}', '{"v":"1","op":"open","name":"s"}', '{"v":1.0,"op":"open","name":"f"}', 'null', '1e999',
    '"open"', '[]', '{}', `${'['.repeat(5000)}${']'.repeat(5000)}`, '{"v":1,"op":"open","name":"a","name":"b"}', '\u0000\u0001\u0002', '\r', ' ',
  ),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);

/** A valid request with bytes deleted, inserted, duplicated or replaced by JSON punctuation. */
const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.nat(255), fc.constantFrom('"', '{', '}', ':', ',', '\\', '\n', '1')), { minLength: 1, maxLength: 4 }))
  .map(([line, edits]) => {
    const chars = [...line];
    for (const [position, op, code, punctuation] of edits) {
      const at = position % (chars.length + 1);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, String.fromCharCode(code));
      else if (op === 2) chars.splice(at, 0, ...chars.slice(at, at + (code % 20)));
      else chars.splice(at, 1, punctuation);
    }
    return chars.join('');
  });

const line = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((s) => Buffer.from(`${s}\n`));
/** One message as bytes: valid, almost valid, weird, mutated, raw garbage, or (rarely) an oversized line. */
const message = fc.oneof(
  { weight: 300, arbitrary: line(valid) }, { weight: 100, arbitrary: line(nearMiss) }, { weight: 60, arbitrary: line(weird) },
  { weight: 150, arbitrary: line(mutated) }, { weight: 150, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from(`${'y'.repeat(70 * 1024)}\n`)) },
);

/** A hostile peer's whole session: its messages, how it chunks them, and how it leaves. */
const session = fc.record({
  messages: fc.array(message, { minLength: 120, maxLength: 180 }),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 64 }),
  // reset: vanishes mid-stream (mid-line, replies unread); end: half-closes; linger: destroys later
  ending: fc.constantFrom('reset', 'reset', 'reset', 'end', 'end', 'end', 'linger', 'linger', 'linger', 'linger'),
  cutAt: fc.double({ min: 0, max: 1, noNaN: true }),
  lingerMs: fc.integer({ min: 50, max: 250 }),
});
type Session = typeof session extends fc.Arbitrary<infer T> ? T : never;

/** Plays a session; counts the replies that do not carry `"v":1` (there must be none). */
function hostilePeer(path: string, { messages, chunkSizes, ending, cutAt, lingerMs }: Session, tally: { replies: number; bad: string[] }): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = createConnection(path);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (buffered + text).split('\n');
      buffered = lines.pop() ?? '';
      for (const reply of lines) {
        tally.replies++;
        if (!isReply(reply)) tally.bad.push(reply.slice(0, 200));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    const bytes = Buffer.concat(messages);
    const stopAt = ending === 'reset' ? Math.floor(cutAt * bytes.length) : bytes.length;
    let offset = 0;
    let chunk = 0;
    const pump = (): void => {
      while (offset < stopAt) {
        const size = chunkSizes[chunk++ % chunkSizes.length] ?? 1;
        const piece = bytes.subarray(offset, Math.min(stopAt, offset + size));
        offset += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      if (ending === 'reset') socket.destroy();
      else if (ending === 'end') socket.end();
      else setTimeout(() => socket.destroy(), lingerMs).unref();
    };
    socket.once('connect', pump);
  });
}

/** One JSON object per line, carrying the protocol version. */
function isReply(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && Reflect.get(value, 'v') === 1;
  } catch {
    return false;
  }
}

let rig: Awaited<ReturnType<typeof startSocketRig>> | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the extension socket under hostile input', () => {
  it('keeps serving through 100,000 random, mutated and oversized messages and resets, and still releases at the deadline', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`socket fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const started = performance.now();
    // Generated up front: building them blocks the loop, which would delay the deadline timer.
    const sessions = fc.sample(session, { seed, numRuns: PEERS });
    const sent = sessions.reduce((sum, s) => sum + s.messages.length, 0);
    const bytes = sessions.reduce((sum, s) => s.messages.reduce((inner, m) => inner + m.length, sum), 0);
    const generatedMs = performance.now() - started;
    rig = await startSocketRig({ marginMs: MARGIN_MS, graceMs: GRACE_MS });
    const { path, invoke, logger, server } = rig;
    const current = invoke(3000);
    const stuck = await connectPeer(path);
    const { id: stuckId } = await stuck.request({ v: 1, op: 'open', name: 'never-finished' });
    current.handlerDone();

    const tally = { replies: 0, bad: [] as string[] };
    for (let i = 0; i < sessions.length; i += CONCURRENT_PEERS) {
      await Promise.all(sessions.slice(i, i + CONCURRENT_PEERS).map((s) => hostilePeer(path, s, tally)));
    }
    console.log(`socket fuzz: ${sent} messages (${bytes} bytes) from ${PEERS} peers, ${tally.replies} replies; generated in ${(generatedMs / 1000).toFixed(1)} s, played in ${((performance.now() - started - generatedMs) / 1000).toFixed(1)} s`);
    expect(sent).toBeGreaterThanOrEqual(100_000);
    expect(tally.bad).toEqual([]);

    const release = await current.released;
    expect(release.reason).toBe('deadline');
    const releasedAtEpoch = performance.timeOrigin + release.at;
    console.log(`socket fuzz: released ${(current.deadlineMs - releasedAtEpoch).toFixed(1)} ms before the deadline (margin ${MARGIN_MS} ms, grace ${GRACE_MS} ms)`);
    // The order, not the figures (unit tests with a manual clock check those): the stuck job was
    // told of the abort with the grace, then abandoned, then the invoke released.
    expect(await stuck.next()).toMatchObject({ event: 'abort', id: stuckId, graceMs: GRACE_MS });
    const steps = logger.records.filter((r) => r.requestId === current.requestId).map((r) => String(r.message)).filter((m) => /^(deadline near|abandoning|after-response summary)/.test(m));
    expect(steps).toEqual([expect.stringMatching(/^deadline near/), expect.stringMatching(/^abandoning/), 'after-response summary']);
    expect(logger.records).toContainEqual(expect.objectContaining({ message: expect.stringContaining('abandoning'), jobs: expect.arrayContaining([expect.stringContaining('never-finished')]) }));
    stuck.socket.destroy();
    // The peers are done, but on a loaded machine the server may still be reading what they sent.
    const open = () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // Jobs the storm opened between invokes wait for the next one, which reports them: thousands of
    // failures (their connections closed before finish), ~2 s of logging on a loaded 2-core machine,
    // more than a 3 s invoke's budget. Given its own invoke, the one after it is served as usual.
    const reporting = invoke(30_000);
    reporting.handlerDone();
    expect((await reporting.released).reason).toBe('settled');

    const healthy = await connectPeer(path);
    const after = invoke();
    const { id } = await healthy.request({ v: 1, op: 'open', name: 'after-the-storm' });
    after.handlerDone();
    expect(await healthy.request({ v: 1, op: 'finish', id, ok: true })).toEqual({ v: 1, ok: true });
    expect((await after.released).reason).toBe('settled');
    healthy.socket.destroy();
  }, 60_000);
});
