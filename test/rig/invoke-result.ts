// Derives the per-invoke facts of an InvokeResult from the recording proxy's calls.
import type { ApiCall, InvokeResult } from './types.ts';

type Facts = Omit<InvokeResult, 'status' | 'body' | 'json' | 'runtimePid'>;

function overlaps(c: ApiCall, from: number, to: number): boolean {
  return c.startedAt <= to && (c.startedAt >= from || Number.isNaN(c.endedAt) || c.endedAt >= from);
}

/** The last extension to call `next` after `from` (each extension counted at its first such call). */
function lastRelease(calls: ApiCall[], from: number): number | undefined {
  const firstByExtension = new Map<string, number>();
  for (const c of calls) {
    if (c.kind !== 'extension-next' || c.startedAt < from) continue;
    const key = c.extensionName ?? '?';
    firstByExtension.set(key, Math.min(firstByExtension.get(key) ?? Infinity, c.startedAt));
  }
  const times = [...firstByExtension.values()];
  return times.length === 0 ? undefined : Math.max(...times);
}

export function invokeFacts(all: ApiCall[], startedAt: number, returnedAt: number): Facts {
  const calls = all.filter((c) => overlaps(c, startedAt, returnedAt)).map((c) => ({ ...c }));
  const next = calls.find((c) => c.kind === 'runtime-next' && c.requestId !== undefined && c.endedAt >= startedAt);
  const requestId = next?.requestId;
  const posted = (kind: ApiCall['kind']): number | undefined =>
    calls.find((c) => c.kind === kind && c.requestId === requestId && !Number.isNaN(c.endedAt))?.endedAt;
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
