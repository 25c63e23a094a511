import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.ts';

const BASE = '/2020-01-01/extension';

/** An event from `GET /extension/event/next`. Internal extensions only ever get INVOKE. */
export type ExtensionEvent =
  | { readonly kind: 'invoke'; readonly requestId: string; readonly deadlineMs: number }
  | { readonly kind: 'shutdown'; readonly reason: string }
  /** Lambda answered 500: "exit promptly", i.e. stop the loop (the process is the runtime's). */
  | { readonly kind: 'exit'; readonly status: number; readonly body: string };

/** Raised for answers the Extensions API documents as errors; `name` is the error type. */
export class ExtensionsApiError extends Error {
  readonly status: number;
  constructor(status: number, errorType: string, message: string) {
    super(message);
    this.name = errorType;
    this.status = status;
  }
}

/**
 * A 200 from `next` whose body is not an INVOKE or SHUTDOWN event. Lambda has consumed that
 * event all the same, so the caller's next poll releases whatever invoke it was.
 */
export class InvalidEventError extends ExtensionsApiError {
  /** The whole body as received; log a prefix only. */
  readonly body: string;
  constructor(body: string, problem: string) {
    super(200, 'Extension.InvalidEvent', `next answered 200 with an unreadable event: ${problem}`);
    this.body = body;
  }
}

/** The Extensions API over raw HTTP: register, then poll `next` forever. */
export class ExtensionsApi {
  readonly #send: HttpTransport;

  /** The same request every invoke: built once, so the transport can reuse its bytes too. */
  #nextRequest: HttpRequest | undefined;

  constructor(send: HttpTransport) {
    this.#send = send;
  }

  /**
   * Registers for INVOKE (internal extensions may not take SHUTDOWN); returns the identifier.
   * `urgentUntil`: the request keeps the event loop alive only until it settles (registration.ts).
   */
  async register(name: string, options: { readonly urgentUntil?: Promise<unknown> } = {}): Promise<string> {
    const request = { method: 'POST', path: `${BASE}/register`, headers: { 'lambda-extension-name': name }, body: JSON.stringify({ events: ['INVOKE'] }) } as const;
    const response = await this.#send(options.urgentUntil ? { ...request, urgentUntil: options.urgentUntil } : request);
    const id = response.headers['lambda-extension-identifier'];
    if (response.status !== 200 || typeof id !== 'string') throw toError(response, 'register');
    return id;
  }

  /**
   * Blocks until the next event. Never give it a timeout: it may legitimately wait for hours.
   * Rejects with an `ExtensionsApiError` for a 1xx-4xx answer, an `InvalidEventError` for a 200
   * it cannot read, and with the transport's error when no HTTP answer arrived at all.
   */
  next(id: string): Promise<ExtensionEvent> {
    if (this.#nextRequest?.headers?.['lambda-extension-identifier'] !== id) {
      this.#nextRequest = { method: 'GET', path: `${BASE}/event/next`, headers: { 'lambda-extension-identifier': id }, background: true };
    }
    // A `then` with a shared function, not an `async` method awaiting: this runs per invoke, and the
    // async frame, its promise and the await's closures were ~0.4 KB of it on nodejs22.x (bench/alloc-sampling.ts, 2,000 invokes).
    try {
      return this.#send(this.#nextRequest).then(toEvent);
    } catch (error) {
      return Promise.reject(error); // a transport that throws still rejects, as the contract says
    }
  }
}

/** `next`'s answer as an event: 5xx asks the extension to exit; any other status but 200 is an error. */
function toEvent(response: HttpResponse): ExtensionEvent {
  if (response.status >= 500) return { kind: 'exit', status: response.status, body: response.body };
  if (response.status !== 200) throw toError(response, 'next');
  return parseEvent(response.body);
}

function parseEvent(body: string): ExtensionEvent {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new InvalidEventError(body, 'not JSON');
  }
  const type = field(event, 'eventType');
  if (type === 'SHUTDOWN') return { kind: 'shutdown', reason: String(field(event, 'shutdownReason')) };
  if (type !== 'INVOKE') throw new InvalidEventError(body, `eventType ${type === undefined ? 'missing' : JSON.stringify(type).slice(0, 80)}`);
  const requestId = field(event, 'requestId');
  if (typeof requestId !== 'string' || requestId === '') throw new InvalidEventError(body, 'INVOKE without a requestId');
  const deadlineMs = toDeadline(field(event, 'deadlineMs'));
  if (deadlineMs === undefined) throw new InvalidEventError(body, 'INVOKE without a deadlineMs');
  return { kind: 'invoke', requestId, deadlineMs };
}

/** A field of a parsed event (a function, not a closure per event). */
function field(event: unknown, name: string): unknown {
  return typeof event === 'object' && event !== null ? Reflect.get(event, name) : undefined;
}

/** Epoch ms as a number (or numeric string); not `Number(x)` alone, which reads null and '' as 0. */
function toDeadline(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function toError(response: HttpResponse, call: string): ExtensionsApiError {
  let errorType = `Extension.HttpStatus${response.status}`;
  let message = response.body.slice(0, 500);
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (typeof parsed === 'object' && parsed !== null) {
      errorType = String(Reflect.get(parsed, 'errorType') ?? errorType);
      message = String(Reflect.get(parsed, 'errorMessage') ?? message);
    }
  } catch {
    // Not JSON: keep the raw body as the message.
  }
  return new ExtensionsApiError(response.status, errorType, `${call} answered ${response.status}: ${message}`);
}
