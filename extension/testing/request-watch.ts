/**
 * HTTP requests of one invoke, seen through `node:diagnostics_channel`: a request may ride a
 * kept-alive socket created before the invoke (undici refs an idle socket while a request is in
 * flight, unrefs it after), so no async resource of the invoke's chain shows it. On Lambda warm
 * invokes reuse connections: this is the usual case, not the exception.
 */
import type { Channel } from 'node:diagnostics_channel';

const channels = process.getBuiltinModule('node:diagnostics_channel');

/** The frozen-work types of a request: `fetch` (undici, Node's built-in) and `node:http`'s client. */
export type RequestType = 'FETCH' | 'HTTPCLIENTREQUEST';

/** A request seen starting in the invoke's chain. */
export interface SeenRequest {
  readonly type: RequestType;
  /** The request object (undici's, or the `ClientRequest`): Node's `HTTPCLIENTREQUEST` async resource points at it (`req`). */
  readonly request: object;
  /** The socket's native handle carrying it, once known: the TCPWRAP not reported beside it. */
  socketHandle(): object | undefined;
  /** Whether its response has been fully received, or it failed. */
  done(): boolean;
}

export interface RequestWatchOptions {
  /** Called where a request starts: whether it is the invoke's (it records the origin then); guarded by the caller. */
  readonly started: (request: SeenRequest) => void;
  /** Runs a subscriber's body; a failure costs that record, never the request. */
  readonly guarded: (body: () => void) => void;
}

interface UndiciState {
  socket: object | undefined;
  done: boolean;
}

/**
 * Subscribes while an invoke runs: undici's `undici:request:create`, `:trailers` (the body fully
 * received), `:error` and `undici:client:sendHeaders` (its socket); `http.client.request.start`
 * of `node:http` (its completion is read from the request at the release: `res.complete`, or
 * `destroyed` after an error or an abort). Returns what unsubscribes.
 */
export function watchRequests(options: RequestWatchOptions): () => void {
  const undici = new WeakMap<object, UndiciState>();
  // A request is reported once, whatever a Node version publishes.
  const httpSeen = new WeakSet<object>();
  const subscriptions: Array<[string, (message: unknown) => void]> = [
    ['undici:request:create', (message) => {
      const request = field(message, 'request');
      if (!request) return;
      const state: UndiciState = { socket: undefined, done: false };
      undici.set(request, state);
      options.started({ type: 'FETCH', request, socketHandle: () => state.socket, done: () => state.done });
    }],
    ['undici:client:sendHeaders', (message) => {
      const state = undici.get(field(message, 'request') ?? {});
      const socket = field(message, 'socket');
      if (state && socket) state.socket = field(socket, '_handle');
    }],
    ['undici:request:trailers', (message) => finish(undici, message)],
    ['undici:request:error', (message) => finish(undici, message)],
    ['http.client.request.start', (message) => {
      const request = field(message, 'request');
      if (!request || httpSeen.has(request)) return;
      httpSeen.add(request);
      options.started({ type: 'HTTPCLIENTREQUEST', request, socketHandle: () => field(field(request, 'socket') ?? {}, '_handle'), done: () => httpDone(request) });
    }],
  ];
  const subscribed = subscriptions.map(([name, listener]) => {
    const guardedListener = (message: unknown): void => options.guarded(() => listener(message));
    const channel: Channel = channels.channel(name);
    channel.subscribe(guardedListener);
    return () => channel.unsubscribe(guardedListener);
  });
  return () => subscribed.forEach((unsubscribe) => unsubscribe());
}

/** An undici request's body fully received, or its failure. */
function finish(undici: WeakMap<object, UndiciState>, message: unknown): void {
  const state = undici.get(field(message, 'request') ?? {});
  if (state) state.done = true;
}

/** A `node:http` client request is done once its response ended, or it was destroyed (an error, an abort, a closed socket). */
function httpDone(request: object): boolean {
  if (Reflect.get(request, 'destroyed') === true) return true;
  const response = field(request, 'res');
  return response !== undefined && Reflect.get(response, 'complete') === true;
}

/** An object-valued property, or `undefined`. */
function field(value: unknown, key: string): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found: unknown = Reflect.get(value, key);
  return typeof found === 'object' && found !== null ? found : undefined;
}
