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

/** The Extensions API over raw HTTP: register, then poll `next` forever. */
export class ExtensionsApi {
  readonly #send: HttpTransport;

  /** The same request every invoke: built once, so the transport can reuse its bytes too. */
  #nextRequest: HttpRequest | undefined;

  constructor(send: HttpTransport) {
    this.#send = send;
  }

  /** Registers for INVOKE (internal extensions may not take SHUTDOWN); returns the identifier. */
  async register(name: string): Promise<string> {
    const response = await this.#send({ method: 'POST', path: `${BASE}/register`, headers: { 'lambda-extension-name': name }, body: JSON.stringify({ events: ['INVOKE'] }) });
    const id = response.headers['lambda-extension-identifier'];
    if (response.status !== 200 || typeof id !== 'string') throw toError(response, 'register');
    return id;
  }

  /** Blocks until the next event. Never give it a timeout: it may legitimately wait for hours. */
  async next(id: string): Promise<ExtensionEvent> {
    if (this.#nextRequest?.headers?.['lambda-extension-identifier'] !== id) {
      this.#nextRequest = { method: 'GET', path: `${BASE}/event/next`, headers: { 'lambda-extension-identifier': id }, background: true };
    }
    const response = await this.#send(this.#nextRequest);
    if (response.status >= 500) return { kind: 'exit', status: response.status, body: response.body };
    if (response.status !== 200) throw toError(response, 'next');
    return parseEvent(response.body);
  }
}

function parseEvent(body: string): ExtensionEvent {
  const event: unknown = JSON.parse(body);
  const field = (name: string): unknown => (typeof event === 'object' && event !== null ? Reflect.get(event, name) : undefined);
  const type = field('eventType');
  if (type === 'SHUTDOWN') return { kind: 'shutdown', reason: String(field('shutdownReason')) };
  const requestId = field('requestId');
  const deadlineMs = Number(field('deadlineMs'));
  if (type !== 'INVOKE' || typeof requestId !== 'string' || !Number.isFinite(deadlineMs)) {
    throw new ExtensionsApiError(200, 'Extension.UnknownEvent', `unexpected event from next: ${body.slice(0, 200)}`);
  }
  return { kind: 'invoke', requestId, deadlineMs };
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
