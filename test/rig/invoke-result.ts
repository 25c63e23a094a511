// Derives the per-invoke facts of an InvokeResult from the recording proxy's calls.
import type { ApiCall, InvokeResult } from './types.ts';

type Facts = Omit<InvokeResult, 'status' | 'body' | 'json' | 'runtimePid'>;

function overlaps(c: ApiCall, from: number, to: number): boolean {
  return c.startedAt <= to && (c.startedAt >= from || Number.isNaN(c.endedAt) || c.endedAt >= from);
}

/**
 * The release: per extension, the first `next` started after the `next` that delivered this
 * invoke's event returned (on a cold start the extension's init-time `next` starts after `from`
 * too, and is the delivering call, not the release). The last extension's release counts.
 */
function lastRelease(calls: ApiCall[], from: number): number | undefined {
  const byExtension = new Map<string, ApiCall[]>();
  for (const c of calls) {
    if (c.kind !== 'extension-next') continue;
    const key = c.extensionName ?? '?';
    byExtension.set(key, [...(byExtension.get(key) ?? []), c]);
  }
  const releases: number[] = [];
  for (const list of byExtension.values()) {
    const sorted = list.sort((a, b) => a.startedAt - b.startedAt);
    const delivered = sorted.find((c) => !Number.isNaN(c.endedAt) && c.endedAt >= from && c.status === 200);
    const release = delivered && sorted.find((c) => c.startedAt >= delivered.endedAt);
    if (release) releases.push(release.startedAt);
  }
  return releases.length === 0 ? undefined : Math.max(...releases);
}

/**
 * When the runtime had the answer to its post: the proxy's start of relaying it (`answeredAt`),
 * which nothing in the runtime can precede; the call's end (the response's close, which the rig's
 * event loop may see late under load) when no answer was relayed.
 */
const answered = (call: ApiCall | undefined): number | undefined => (call === undefined ? undefined : (call.answeredAt ?? call.endedAt));

/** Facts of the invoke that started at `startedAt`, from the calls made until `endedAt`. */
export function invokeFacts(all: ApiCall[], startedAt: number, returnedAt: number, endedAt: number): Facts {
  const calls = all.filter((c) => overlaps(c, startedAt, endedAt)).map((c) => ({ ...c }));
  const next = calls.find((c) => c.kind === 'runtime-next' && c.requestId !== undefined && c.endedAt >= startedAt);
  const requestId = next?.requestId;
  const posted = (kind: ApiCall['kind']): number | undefined =>
    answered(calls.find((c) => c.kind === kind && c.requestId === requestId && !Number.isNaN(c.endedAt)));
  const handedOut = next?.endedAt ?? startedAt;
  const runtimeNext = calls.find((c) => c.kind === 'runtime-next' && c.startedAt >= handedOut);
  const facts: Facts = { requestId, startedAt, returnedAt, durationMs: returnedAt - startedAt, calls };
  const responsePostedAt = posted('runtime-response');
  const errorPostedAt = posted('runtime-error');
  const extensionReleasedAt = lastRelease(calls, startedAt);
  if (responsePostedAt !== undefined) facts.responsePostedAt = responsePostedAt;
  if (errorPostedAt !== undefined) facts.errorPostedAt = errorPostedAt;
  if (runtimeNext !== undefined) facts.runtimeNextAt = runtimeNext.startedAt;
  if (extensionReleasedAt !== undefined) facts.extensionReleasedAt = extensionReleasedAt;
  return facts;
}

export interface RequestFacts {
  deliveredAt?: number;
  responsePostedAt?: number;
  errorPostedAt?: number;
  calls: ApiCall[];
}

/**
 * Facts of one request, from the calls carrying its id alone: with concurrent invokes the time
 * windows overlap, so invokeFacts would credit one request with another's calls.
 */
export function requestFacts(all: ApiCall[], requestId: string): RequestFacts {
  const calls = all.filter((c) => c.requestId === requestId).map((c) => ({ ...c }));
  const ended = (kind: ApiCall['kind']): ApiCall | undefined => calls.find((c) => c.kind === kind && !Number.isNaN(c.endedAt));
  const facts: RequestFacts = { calls };
  const deliveredAt = ended('runtime-next')?.endedAt;
  const responsePostedAt = answered(ended('runtime-response'));
  const errorPostedAt = answered(ended('runtime-error'));
  if (deliveredAt !== undefined) facts.deliveredAt = deliveredAt;
  if (responsePostedAt !== undefined) facts.responsePostedAt = responsePostedAt;
  if (errorPostedAt !== undefined) facts.errorPostedAt = errorPostedAt;
  return facts;
}
