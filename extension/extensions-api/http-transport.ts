/** One request to the Runtime API, as the Extensions API client needs it. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A long-poll that must not keep the event loop alive (RIC 3 answers callback handlers on an empty loop). @default false */
  readonly background?: boolean;
  /**
   * Keeps the event loop alive only until this settles; after it, an unanswered request waits in
   * the background, as `background` does (a registration the extension gave up waiting for).
   */
  readonly urgentUntil?: Promise<unknown>;
}

export interface HttpResponse {
  readonly status: number;
  /** The headers the client reads (content-length, transfer-encoding, connection, lambda-extension-identifier), by lower-case name; others are not kept. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends one request to the Runtime API; injected so units test without a server. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
