// The rig's recording proxy passes bodies, chunked bodies and trailers through, records calls
// and applies fault rules; checked against a stand-in upstream server.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingProxy, type SetTimer } from '../rig/recording-proxy.ts';
import type { FaultRule } from '../rig/types.ts';

interface Seen {
  path: string;
  body: string;
  trailers: Record<string, string | undefined>;
}

/** Path the stand-in upstream never answers (a `next` long-poll with no invoke coming). */
const heldPath = '/2020-01-01/extension/event/next';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function upstream(seen: Seen[], closedHeld: string[] = []): Promise<number> {
  const server: Server = createServer((req, res) => {
    if (req.url === heldPath) {
      seen.push({ path: heldPath, body: '', trailers: {} });
      res.on('close', () => closedHeld.push(heldPath));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), trailers: { ...req.trailers } });
      if (req.url === '/2018-06-01/runtime/invocation/next') {
        res.writeHead(200, { 'content-type': 'application/json', 'lambda-runtime-aws-request-id': 'req-1' });
        res.end('{"n":1}');
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json', trailer: 'x-up-trailer' });
      res.write('{"status":');
      res.addTrailers({ 'x-up-trailer': 'yes' });
      res.end('"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return (server.address() as AddressInfo).port;
}

async function proxyTo(seen: Seen[], faults: FaultRule[] = [], closedHeld: string[] = [], setTimer?: SetTimer): Promise<RecordingProxy> {
  const proxy = await RecordingProxy.start(await upstream(seen, closedHeld), faults, setTimer ? { setTimer } : {});
  closers.unshift(() => proxy.close());
  return proxy;
}

/** Timers the test fires by hand: each one the proxy sets is handed out by `next()`. */
function heldTimers() {
  const set: Array<{ ms: number; fire: () => void }> = [];
  const setTimer: SetTimer = (run, ms) => {
    let cancelled = false;
    set.push({ ms, fire: () => void (cancelled || run()) });
    return () => void (cancelled = true);
  };
  const next = async () => {
    while (set.length === 0) await pause(5);
    return set.shift() as { ms: number; fire: () => void };
  };
  return { setTimer, next };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function send(port: number, method: string, path: string, chunks: string[], trailers?: Record<string, string>) {
  return new Promise<{ status: number; body: string; res: IncomingMessage }>((resolve, reject) => {
    const headers: Record<string, string> = trailers ? { trailer: Object.keys(trailers).join(', ') } : {};
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
    });
    req.on('error', reject);
    if (method === 'POST') req.setHeader('transfer-encoding', 'chunked');
    for (const c of chunks) req.write(c);
    if (trailers) req.addTrailers(trailers);
    req.end();
  });
}

/** Sends a GET and aborts it after `ms` (the runtime giving up, or being killed). */
function abandon(port: number, path: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path, agent: false });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => req.destroy(), ms);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the rig recording proxy', () => {
  it('passes a chunked body and its trailers both ways and records the call with its request id', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen);
    const path = '/2018-06-01/runtime/invocation/req-1/response';
    const trailer = { 'lambda-runtime-function-error-type': 'Boom' };
    const reply = await send(proxy.port, 'POST', path, ['part1-', 'part2'], trailer);
    expect(seen[0]).toEqual({ path, body: 'part1-part2', trailers: trailer });
    expect(reply).toMatchObject({ status: 202, body: '{"status":"OK"}' });
    expect(reply.res.trailers).toEqual({ 'x-up-trailer': 'yes' });
    expect(proxy.calls).toMatchObject([{ kind: 'runtime-response', requestId: 'req-1', status: 202 }]);
    expect(proxy.calls[0]?.endedAt).toBeGreaterThanOrEqual(proxy.calls[0]?.startedAt ?? Infinity);
  });

  it('stamps when it began relaying the answer: before the caller had any of it, not after the call ended', async () => {
    const proxy = await proxyTo([]);
    const path = '/2018-06-01/runtime/invocation/req-1/response';
    const headersAt = new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path, agent: false }, (res) => {
        resolve(performance.now());
        res.resume();
      });
      req.end('{}');
    });
    const received = await headersAt;
    await sleep(20); // the response's close, which stamps endedAt
    const call = proxy.calls[0];
    expect(call?.answeredAt).toBeGreaterThanOrEqual(call?.startedAt ?? Infinity);
    expect(call?.answeredAt).toBeLessThanOrEqual(received);
    expect(call?.answeredAt).toBeLessThanOrEqual(call?.endedAt ?? -Infinity);
  });

  it('takes the request id of a runtime next from the response header', async () => {
    const proxy = await proxyTo([]);
    const reply = await send(proxy.port, 'GET', '/2018-06-01/runtime/invocation/next', []);
    expect(reply.body).toBe('{"n":1}');
    expect(proxy.calls).toMatchObject([{ kind: 'runtime-next', requestId: 'req-1', status: 200 }]);
  });

  it('delays a matching call by the fault delay before forwarding it', async () => {
    const seen: Seen[] = [];
    const timers = heldTimers();
    const proxy = await proxyTo(seen, [{ path: /\/response$/, action: { kind: 'delay', ms: 300 } }], [], timers.setTimer);
    let answered = false;
    const reply = send(proxy.port, 'POST', '/2018-06-01/runtime/invocation/r/response', ['x']).then((r) => ((answered = true), r));
    const timer = await timers.next();
    expect(timer.ms).toBe(300);
    await pause(50);
    expect([seen, answered]).toEqual([[], false]); // held until its timer fires, not forwarded
    timer.fire();
    expect((await reply).status).toBe(202);
    expect(seen).toHaveLength(1);
    expect(proxy.calls[0]?.fault).toBe('delay');
  });

  it('answers a matching call with the fault status without forwarding it, only `times` times', async () => {
    const seen: Seen[] = [];
    const rule: FaultRule = { path: /\/response$/, method: 'POST', action: { kind: 'status', status: 500, body: '{}' }, times: 1 };
    const proxy = await proxyTo(seen, [rule]);
    const path = '/2018-06-01/runtime/invocation/r/response';
    expect((await send(proxy.port, 'POST', path, ['x'])).status).toBe(500);
    expect(seen).toHaveLength(0);
    expect((await send(proxy.port, 'POST', path, ['x'])).status).toBe(202);
    expect(seen).toHaveLength(1);
  });

  it('drops the connection of a matching call', async () => {
    const proxy = await proxyTo([], [{ path: /next$/, action: { kind: 'drop' } }]);
    await expect(send(proxy.port, 'GET', '/2018-06-01/runtime/invocation/next', [])).rejects.toThrow();
    expect(proxy.calls[0]?.fault).toBe('drop');
  });

  it('holds a matching call for `afterMs`, then resets it without ever forwarding it', async () => {
    const seen: Seen[] = [];
    const timers = heldTimers();
    const proxy = await proxyTo(seen, [{ path: /next$/, action: { kind: 'drop', afterMs: 300 } }], [], timers.setTimer);
    let settled = false;
    const reply = send(proxy.port, 'GET', '/2018-06-01/runtime/invocation/next', []).finally(() => (settled = true));
    const timer = await timers.next();
    expect(timer.ms).toBe(300);
    await pause(50);
    expect(settled).toBe(false); // held open until its timer fires
    expect(proxy.calls[0]?.endedAt).toBeNaN();
    const firedAt = performance.now();
    timer.fire();
    await expect(reply).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen).toHaveLength(0);
    expect(proxy.calls[0]).toMatchObject({ kind: 'runtime-next', fault: 'drop' });
    expect(proxy.calls[0]?.endedAt).toBeGreaterThanOrEqual(firedAt); // the call ended with the reset, not before
  });

  it('answers a matching call with bytes that are not HTTP and closes, without forwarding it', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /\/response$/, action: { kind: 'garble' }, times: 1 }]);
    const path = '/2018-06-01/runtime/invocation/r/response';
    await expect(send(proxy.port, 'POST', path, ['x'])).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_/) });
    expect(seen).toHaveLength(0);
    expect(proxy.calls[0]?.fault).toBe('garble');
    expect(proxy.calls[0]?.endedAt).not.toBeNaN();
    expect((await send(proxy.port, 'POST', path, ['x'])).status).toBe(202);
  });

  it('never answers nor forwards a call it hangs; the next call is served', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /\/register$/, action: { kind: 'hang' }, times: 1 }]);
    const path = '/2020-01-01/extension/register';
    let answered = false;
    void send(proxy.port, 'POST', path, ['{}']).then(() => (answered = true), () => undefined);
    await sleep(200);
    expect(answered).toBe(false);
    expect(seen).toHaveLength(0);
    expect(proxy.calls[0]).toMatchObject({ fault: 'hang', endedAt: Number.NaN });
    expect((await send(proxy.port, 'POST', path, ['{}'])).status).toBe(202);
  });

  it('never answers a hang fault, forwards nothing, and ends the call when the caller gives up', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /register$/, action: { kind: 'hang' } }]);
    await abandon(proxy.port, '/2020-01-01/extension/register', 200);
    await sleep(50);
    expect(seen).toHaveLength(0);
    expect(proxy.calls[0]).toMatchObject({ kind: 'extension-register', fault: 'hang' });
    expect(proxy.calls[0]?.status).toBeUndefined();
    expect(proxy.calls[0]?.endedAt).not.toBeNaN();
  });

  const NEXT_PATH = '/2018-06-01/runtime/invocation/next';

  it('forwards a lose-answer call, then resets the caller instead of relaying the answer', async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /next$/, action: { kind: 'lose-answer' }, times: 1 }]);
    await expect(send(proxy.port, 'GET', NEXT_PATH, [])).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET/) });
    expect(seen.map((s) => s.path)).toEqual([NEXT_PATH]);
    expect(proxy.calls[0]).toMatchObject({ fault: 'lose-answer', status: 200, requestId: 'req-1' });
    expect(proxy.calls[0]?.answeredAt, 'no answer was relayed').toBeUndefined();
    expect((await send(proxy.port, 'GET', NEXT_PATH, [])).body).toBe('{"n":1}');
  });

  it("forwards a garble-answer call and relays upstream's status with every body byte replaced", async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /next$/, action: { kind: 'garble-answer' }, times: 1 }]);
    const reply = await send(proxy.port, 'GET', NEXT_PATH, []);
    expect(reply).toMatchObject({ status: 200, body: '~~~~~~~' });
    expect(reply.res.headers['lambda-runtime-aws-request-id']).toBe('req-1');
    expect(seen).toHaveLength(1);
    expect(proxy.calls[0]?.fault).toBe('garble-answer');
  });

  it("relays upstream's answer to a delay call only `answerMs` after it arrived", async () => {
    const seen: Seen[] = [];
    const proxy = await proxyTo(seen, [{ path: /next$/, action: { kind: 'delay', ms: 0, answerMs: 300 } }]);
    const reply = send(proxy.port, 'GET', NEXT_PATH, []);
    await sleep(100);
    expect(seen).toHaveLength(1); // upstream already answered
    expect(proxy.calls[0]?.status).toBeUndefined(); // the caller has not had it
    expect((await reply).body).toBe('{"n":1}');
    expect(proxy.calls[0]).toMatchObject({ fault: 'delay', status: 200 });
  });

  it('applies rules added while it runs to the calls made afterwards, after the rules it started with', async () => {
    const proxy = await proxyTo([], [{ path: /next$/, action: { kind: 'status', status: 500 }, times: 1 }]);
    proxy.addFaults([{ path: /next$/, action: { kind: 'status', status: 503 }, times: 1 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(proxy.port, 'GET', NEXT_PATH, [])).status);
    expect(statuses).toEqual([500, 503, 200]);
  });

  it('forwards nothing when the caller gives up during a delay or before a delayed drop', async () => {
    const seen: Seen[] = [];
    const rules: FaultRule[] = [
      { path: /next$/, action: { kind: 'delay', ms: 200 }, times: 1 },
      { path: /next$/, action: { kind: 'drop', afterMs: 200 }, times: 1 },
    ];
    const proxy = await proxyTo(seen, rules);
    await abandon(proxy.port, '/2018-06-01/runtime/invocation/next', 50);
    await abandon(proxy.port, '/2018-06-01/runtime/invocation/next', 50);
    await sleep(300);
    expect(seen).toHaveLength(0);
    expect(proxy.calls.map((c) => c.fault)).toEqual(['delay', 'drop']);
  });

  it('closes the upstream call when the caller goes away while it is forwarded', async () => {
    const seen: Seen[] = [];
    const closedHeld: string[] = [];
    const proxy = await proxyTo(seen, [], closedHeld);
    await abandon(proxy.port, heldPath, 100);
    await sleep(100);
    expect(seen.map((s) => s.path)).toEqual([heldPath]);
    expect(closedHeld).toEqual([heldPath]);
  });
});
