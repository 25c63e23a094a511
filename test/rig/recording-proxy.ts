// Pass-through between the runtime and RIE's Runtime API that timestamps every call and
// applies FaultRules. It lives in the test process so timestamps share its performance.now().
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify } from './api-call-kind.ts';
import { FaultTable } from './faults.ts';
import type { ApiCall, FaultAction, FaultRule } from './types.ts';

/** The faults that forward the request and then act on upstream's answer. */
type AnswerFault = Extract<FaultAction, { kind: 'lose-answer' | 'garble-answer' | 'delay' }>;

/** What a `garble` fault answers: not an HTTP status line, so the client's parser fails. */
const garbage = 'garbage\r\n\r\n';

const hopByHop = new Set(['connection', 'keep-alive', 'expect', 'proxy-connection', 'upgrade']);

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}

/** Runs `then` once the request body has been read (and discarded). */
function afterBody(req: IncomingMessage, then: () => void): void {
  req.resume();
  req.on('end', then);
}

function header(msg: IncomingMessage, name: string): string | undefined {
  const v = msg.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Schedules `run` in `ms`; returns its cancel. Injected by tests that check the fault delays by their cause. */
export type SetTimer = (run: () => void, ms: number) => () => void;

const realTimer: SetTimer = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export class RecordingProxy {
  readonly calls: ApiCall[] = [];
  private readonly extensionNames = new Map<string, string>();
  private readonly faults: FaultTable;
  private readonly server: Server;

  private constructor(private readonly upstreamPort: number, rules: FaultRule[], private readonly setTimer: SetTimer) {
    this.faults = new FaultTable(rules);
    // No timeouts: `next` long-polls and frozen runtimes may idle for any length of time.
    this.server = createServer({ requestTimeout: 0, keepAliveTimeout: 0 }, (req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 0;
  }

  static async start(upstreamPort: number, rules: FaultRule[] = [], options: { readonly setTimer?: SetTimer } = {}): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(upstreamPort, rules, options.setTimer ?? realTimer);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Rules for calls made from now on, after the current ones. */
  addFaults(rules: FaultRule[]): void {
    this.faults.add(rules);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const { kind, requestId } = classify(method, path);
    const call: ApiCall = { kind, method, path, startedAt: performance.now(), endedAt: Number.NaN };
    if (requestId !== undefined) call.requestId = requestId;
    const id = header(req, 'lambda-extension-identifier');
    const name = header(req, 'lambda-extension-name') ?? (id === undefined ? undefined : this.extensionNames.get(id));
    if (name !== undefined) call.extensionName = name;
    this.calls.push(call);
    res.on('close', () => {
      call.endedAt = performance.now();
    });
    const fault = this.faults.take(method, path);
    if (fault !== undefined) call.fault = fault.kind;
    this.apply(fault, req, res, call);
  }

  /**
   * `delay` and the answer faults forward a faulted request; the rest do not: an upstream `next`
   * the runtime no longer waits on would still be handed an event by RIE, and that invoke would be lost.
   */
  private apply(fault: FaultAction | undefined, req: IncomingMessage, res: ServerResponse, call: ApiCall): void {
    switch (fault?.kind) {
      case undefined:
      case 'lose-answer':
      case 'garble-answer':
        this.forward(req, res, call, fault);
        return;
      case 'drop':
        this.drop(req, call, fault.afterMs ?? 0);
        return;
      case 'hang':
        req.resume(); // read the request; the answer never comes (the caller's close ends the call)
        return;
      case 'garble':
        afterBody(req, () => {
          req.socket.end(garbage);
          call.endedAt = performance.now(); // as for drop: the caller may see the close first
        });
        return;
      case 'status':
        afterBody(req, () => {
          call.status = fault.status;
          res.writeHead(fault.status, { 'content-type': 'application/json' });
          res.end(fault.body ?? '');
        });
        return;
      case 'delay': {
        const cancel = this.setTimer(() => this.forward(req, res, call, fault), fault.ms);
        res.on('close', cancel); // the runtime gave up while delayed: forward nothing
        return;
      }
    }
  }

  /** Resets the connection, at once or after holding the request open for `afterMs`. */
  private drop(req: IncomingMessage, call: ApiCall, afterMs: number): void {
    const reset = (): void => {
      req.socket.destroy();
      call.endedAt = performance.now();
    };
    if (afterMs <= 0) return reset();
    const cancel = this.setTimer(reset, afterMs);
    req.socket.on('close', cancel);
  }

  private forward(req: IncomingMessage, res: ServerResponse, call: ApiCall, answer: AnswerFault | undefined): void {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !hopByHop.has(k)) headers[k] = v;
    }
    const up = request({ host: '127.0.0.1', port: this.upstreamPort, method: call.method, path: call.path, headers, agent: false });
    up.on('response', (upRes) => {
      if (answer?.kind !== 'delay') return this.relayResponse(upRes, res, call, answer);
      if (answer.answerMs === undefined) return this.relayResponse(upRes, res, call, undefined);
      const timer = setTimeout(() => this.relayResponse(upRes, res, call, undefined), answer.answerMs);
      res.on('close', () => clearTimeout(timer));
    });
    up.on('error', (err) => {
      if (res.destroyed) return; // destroyed by us below, once the runtime had gone
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`rig proxy: ${err.message}`);
    });
    req.on('data', (chunk: Buffer) => up.write(chunk));
    req.on('end', () => {
      if (req.rawTrailers.length > 0) up.addTrailers(pairs(req.rawTrailers));
      up.end();
    });
    // The runtime went away mid-call (killed, or its socket reset): close the upstream call
    // too, so RIE sees what it would see without the proxy in between.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
  }

  private relayResponse(upRes: IncomingMessage, res: ServerResponse, call: ApiCall, answer: Exclude<AnswerFault, { kind: 'delay' }> | undefined): void {
    if (res.destroyed) return void upRes.resume(); // the runtime went away while its answer was delayed
    call.status = upRes.statusCode ?? 0;
    if (call.kind === 'runtime-next') {
      const rid = header(upRes, 'lambda-runtime-aws-request-id');
      if (rid !== undefined) call.requestId = rid;
    }
    const extId = header(upRes, 'lambda-extension-identifier');
    if (call.kind === 'extension-register' && extId !== undefined && call.extensionName !== undefined) {
      this.extensionNames.set(extId, call.extensionName);
    }
    const raw = pairs(upRes.rawHeaders).filter(([k]) => !hopByHop.has(k.toLowerCase()));
    const lost = answer?.kind === 'lose-answer';
    if (!lost) call.answeredAt = performance.now(); // before any byte the caller can read; `endedAt` (the close) may be seen later
    if (!lost) res.writeHead(call.status, raw.flat());
    const body: Buffer[] = [];
    upRes.on('data', (chunk: Buffer) => {
      if (call.kind === 'extension-next') body.push(chunk);
      if (!lost) res.write(answer?.kind === 'garble-answer' ? Buffer.alloc(chunk.length, '~') : chunk);
    });
    upRes.on('end', () => {
      const rid = body.length > 0 ? eventRequestId(Buffer.concat(body).toString('utf8')) : undefined;
      if (rid !== undefined) call.requestId = rid;
      if (lost) return void res.socket?.resetAndDestroy();
      if (upRes.rawTrailers.length > 0) res.addTrailers(pairs(upRes.rawTrailers));
      res.end();
    });
    upRes.on('error', () => res.destroy());
  }
}

function eventRequestId(body: string): string | undefined {
  try {
    const event = JSON.parse(body) as { requestId?: unknown };
    return typeof event.requestId === 'string' ? event.requestId : undefined;
  } catch {
    return undefined;
  }
}
