import type { Guard } from './guard.ts';

/** What of `node:diagnostics_channel` is used (injected for tests). */
export interface Channels {
  subscribe(name: string, onMessage: (message: unknown, name: string | symbol) => void): void;
  unsubscribe(name: string, onMessage: (message: unknown, name: string | symbol) => void): unknown;
}

const REQUEST_START = 'http.server.request.start';

/**
 * Node publishes `http.server.request.start` for every request an `http` or `https` server of
 * this thread receives, synchronously before its `request` event, in the async context the
 * connection inherited from the server — the context of whoever called `listen()`. A server the
 * handler creates on first use (`server ??= http.createServer(app).listen(…)`: serverless-http
 * style apps, a Next or Express server started lazily) would carry invoke 1's context into every
 * later request. `onRequest` re-attributes the request there (Lifecycle.serverRequest), so what
 * its handling starts — promises, timers, `after()` — inherits that. Returns the unsubscribe.
 *
 * Not covered: `http2` servers and bare `net` servers (no channel runs before their handlers),
 * and, on Node 24, events a connection raises on its own after the response (a request's `close`
 * when the response ended synchronously): those keep the server's context.
 */
export function attributeServerRequests(channels: Channels, onRequest: () => void, guard: Guard): () => void {
  const subscriber = (): void => void guard('server request attribution', onRequest);
  channels.subscribe(REQUEST_START, subscriber);
  return () => void channels.unsubscribe(REQUEST_START, subscriber);
}
