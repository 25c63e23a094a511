import { describe, expect, it } from 'vitest';
import { installExitReport, type ExitSource } from '../../extension/reporting/exit-report.ts';
import { createGuard } from '../../extension/runtime-hooks/guard.ts';
import { wrapNativeClient, guardEvents } from '../../extension/runtime-hooks/runtime-observer.ts';
import { recordingLogger } from './fakes.ts';

describe('guard: the extension never throws into the runtime', () => {
  it('logs the first failure of a hook as ERROR, later ones at DEBUG, and returns undefined', () => {
    const logger = recordingLogger();
    const guard = createGuard(logger);
    expect(guard('h', () => 7)).toBe(7);
    expect(guard('h', () => { throw new Error('boom'); })).toBeUndefined();
    expect(guard('h', () => { throw Object.create(null); })).toBeUndefined();
    expect(logger.records.map((r) => [r.level, r.hook, r.failures])).toEqual([['ERROR', 'h', 1], ['DEBUG', 'h', 2]]);
  });

  it("the native client's done still posts, and next still answers, when every event throws", async () => {
    const logger = recordingLogger();
    const posted: string[] = [];
    const native = {
      next: () => Promise.resolve({ headers: { 'lambda-runtime-aws-request-id': 'r1', 'lambda-runtime-deadline-ms': '1' } }),
      done: (id: string, _body?: string) => void posted.push(id),
      error: (id: string) => void posted.push(id),
    };
    const throwing = () => { throw new Error('extension bug'); };
    const events = guardEvents({ runtimeNext: throwing, invokeStarted: throwing, responsePosted: throwing, observed: throwing }, createGuard(logger));
    wrapNativeClient(native, events);
    await expect(native.next()).resolves.toMatchObject({ headers: { 'lambda-runtime-aws-request-id': 'r1' } });
    expect(() => native.done('%E0%A4%A', '"body"')).not.toThrow(); // a malformed escape too
    expect(() => native.done('r1', '"body"')).not.toThrow();
    expect(posted).toEqual(['%E0%A4%A', 'r1']);
    expect(logger.records.filter((r) => r.level === 'ERROR').map((r) => r.hook)).toEqual(['runtime observed', 'runtime next', 'invoke started', 'response posted']);
  });
});

function fakeProcess(): ExitSource & { emit(event: 'exit' | 'SIGTERM', code?: number): void; killed: string[]; others: number } {
  const listeners: Record<string, Array<(code: number) => void>> = { exit: [], SIGTERM: [] };
  const source = {
    pid: 42,
    killed: [] as string[],
    others: 0,
    once(event: 'exit' | 'SIGTERM', listener: (code: number) => void) {
      listeners[event]?.push(listener);
      return source;
    },
    listenerCount: () => (listeners.SIGTERM?.length ?? 0) + source.others,
    kill: (pid: number, signal: string) => void source.killed.push(`${pid} ${signal}`),
    emit(event: 'exit' | 'SIGTERM', code = 0) {
      for (const listener of listeners[event]?.splice(0) ?? []) listener(code);
    },
  };
  return source;
}

describe('exit report: no job vanishes without a word', () => {
  const unfinished = () => [{ requestId: 'r1', jobs: ['post-hang-report (never started)'] }];

  it('names unfinished jobs when the process exits, once', () => {
    const logger = recordingLogger();
    const source = fakeProcess();
    installExitReport({ unfinished, logger, source, signals: 'main-thread' });
    source.emit('exit', 129);
    source.emit('exit', 129);
    expect(logger.records).toEqual([expect.objectContaining({ level: 'ERROR', requestId: 'r1', jobs: ['post-hang-report (never started)'], exitCode: 129 })]);
  });

  it('on SIGTERM reports, then re-raises it when nobody else listens', () => {
    const logger = recordingLogger();
    const source = fakeProcess();
    installExitReport({ unfinished, logger, source, signals: 'main-thread' });
    source.emit('SIGTERM');
    expect(logger.records[0]).toMatchObject({ signal: 'SIGTERM', requestId: 'r1' });
    expect(source.killed).toEqual(['42 SIGTERM']);
  });

  it("on SIGTERM leaves the process to the function's own listener", () => {
    const source = fakeProcess();
    source.others = 1;
    installExitReport({ unfinished, logger: recordingLogger(), source, signals: 'main-thread' });
    source.emit('SIGTERM');
    expect(source.killed).toEqual([]);
  });
});
