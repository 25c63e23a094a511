/**
 * An in-process double of Lambda's Runtime API and Extensions API for one execution environment:
 * the runtime's side is shaped like the native client both runtime clients use (`next`, `done`,
 * `error` of `rapid-client.node`), so the layer's real runtime observer wraps it; the extension's
 * side answers `register` and `next` as the Extensions API does. Lambda hands each invoke to the
 * runtime and to every extension at once, and freezes once both have called `next` again.
 */

/** What the native client's `next` resolves with (RIC reads the request id and deadline from these headers). */
export interface NativeInvocation {
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyJson: string;
}

/** The three exports of `rapid-client.node` the layer observes. */
export interface NativeClient {
  next(): Promise<NativeInvocation>;
  done(requestId: string, response: unknown): void;
  error(requestId: string, error: unknown): void;
}

/** An event as the layer's Extensions API client returns it (extension/extensions-api.ts). */
export type ExtensionEventLike = { readonly kind: 'invoke'; readonly requestId: string; readonly deadlineMs: number };

/** Told what happened to one invoke, in order. */
export interface InvokeListener {
  /** The runtime posted the response (`ok`) or the error. */
  responded(outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }): void;
  /** The runtime and the extension have both called `next` after this invoke: Lambda may freeze now. */
  released(): void;
}

interface Pending {
  readonly requestId: string;
  readonly listener: InvokeListener;
  runtimeDone: boolean;
  extensionDone: boolean;
}

/** A FIFO whose `take` waits for the next item (a long-poll). */
class Mailbox<T> {
  readonly #items: T[] = [];
  #waiting: ((item: T) => void) | undefined;

  put(item: T): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting(item);
    } else this.#items.push(item);
  }

  take(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => (this.#waiting = resolve));
  }
}

export const EXTENSION_ID = 'lambda-after-response-testing-extension';

export class RuntimeApiDouble {
  readonly #runtimeInbox = new Mailbox<NativeInvocation>();
  readonly #extensionInbox = new Mailbox<ExtensionEventLike>();
  readonly #pending = new Map<string, Pending>();
  /** The invoke each side received last: its next `next` ends that invoke for it. */
  #runtimeOn: Pending | undefined;
  #extensionOn: Pending | undefined;
  /** Lambda waits for an extension's `next` only once it registered (a disabled layer never does). */
  #registered = false;
  #initDone!: () => void;
  /** Resolves at the runtime's first `next`: its init is over, and Lambda sends invokes only from then on. */
  readonly initialized: Promise<void> = new Promise((resolve) => (this.#initDone = resolve));

  /** Hands an invoke to the runtime and the extension, as Lambda does. */
  deliver(requestId: string, deadlineMs: number, listener: InvokeListener): void {
    const pending: Pending = { requestId, listener, runtimeDone: false, extensionDone: false };
    this.#pending.set(requestId, pending);
    const headers = { 'lambda-runtime-aws-request-id': requestId, 'lambda-runtime-deadline-ms': String(deadlineMs) };
    this.#runtimeInbox.put({ headers, bodyJson: '{}' });
    this.#extensionInbox.put({ kind: 'invoke', requestId, deadlineMs });
  }

  /** Forgets an invoke that timed out (Lambda resets the environment: nothing of it is released). */
  forget(requestId: string): void {
    this.#pending.delete(requestId);
  }

  /** The runtime's side, shaped like the native client. */
  readonly native: NativeClient = {
    next: () => {
      this.#initDone();
      this.#finish(this.#runtimeOn, 'runtime');
      return this.#runtimeInbox.take().then((invocation) => {
        this.#runtimeOn = this.#pending.get(invocation.headers['lambda-runtime-aws-request-id'] ?? '');
        return invocation;
      });
    },
    done: (requestId, response) => this.#pending.get(requestId)?.listener.responded({ ok: true, value: response }),
    error: (requestId, error) => this.#pending.get(requestId)?.listener.responded({ ok: false, error }),
  };

  /** The extension's side: `register` and `next` of the Extensions API. */
  readonly extensionsApi = {
    register: (_name: string, _options?: { readonly urgentUntil?: Promise<unknown> }): Promise<string> => {
      this.#registered = true;
      return Promise.resolve(EXTENSION_ID);
    },
    next: (_id: string): Promise<ExtensionEventLike> => {
      this.#finish(this.#extensionOn, 'extension');
      return this.#extensionInbox.take().then((event) => {
        this.#extensionOn = this.#pending.get(event.requestId);
        return event;
      });
    },
  };

  #finish(pending: Pending | undefined, side: 'runtime' | 'extension'): void {
    if (!pending || !this.#pending.has(pending.requestId)) return;
    if (side === 'runtime') pending.runtimeDone = true;
    else pending.extensionDone = true;
    if (!pending.runtimeDone || (this.#registered && !pending.extensionDone)) return;
    this.#pending.delete(pending.requestId);
    pending.listener.released();
  }
}
