// What the extension loads only at first use (extension/lazy-file.ts): each is loaded then and not
// before, and a file that does not load is named in one ERROR while the rest keeps working —
// nothing the feature was about is lost without a word.
import { describe, expect, it } from 'vitest';
import type { InvokeSummary } from '../../extension/core/invoke-options.ts';
import { requireBeside } from '../../extension/lazy-file.ts';
import { installExitReport, type ExitSource } from '../../extension/reporting/exit-report.ts';
import { createEmfWriter } from '../../extension/reporting/emf-metrics.ts';
import { lazyEmfWriter } from '../../extension/reporting/lazy-emf.ts';
import { handOffAtShutdown } from '../../extension/reporting/shutdown-hand-offs.ts';
import { flush, recordingLogger, trackerSetup } from './fakes.ts';

const MISSING = (): never => requireBeside(() => { throw new Error("Cannot find module './reporting.cjs'"); }, 'reporting.cjs') as never;

describe('requireBeside', () => {
  it('returns the module, or throws an error naming the file, its cause attached', () => {
    expect(requireBeside((id) => ({ id }), 'reporting.cjs')).toEqual({ id: './reporting.cjs' });
    const cause = new Error("Cannot find module './socket.cjs'");
    let thrown: unknown;
    try {
      requireBeside(() => { throw cause; }, 'socket.cjs');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ message: "lambda-after-response/socket.cjs did not load: Cannot find module './socket.cjs'", cause });
    expect(() => requireBeside(() => { throw 'odd'; }, 'x.cjs')).toThrow('lambda-after-response/x.cjs did not load: odd');
  });
});

const summary: InvokeSummary = {
  requestId: 'r1', outcome: 'settled', stats: { enqueued: 1, started: 1, succeeded: 1, failed: 0, abandoned: 0, neverStarted: 0 },
  flushStats: undefined, responseToReleaseMs: 3, releasedAtMs: 1_767_000_000_000,
};

describe('EMF lines (AFTER_RESPONSE_METRICS=emf): their code is loaded at the first summary', () => {
  it('not when the writer is made; once, at the first summary; every summary is written', () => {
    const lines: string[] = [];
    let loads = 0;
    const onSummary = lazyEmfWriter({ namespace: 'NS', functionName: 'fn', write: (line) => void lines.push(line), logger: recordingLogger(), load: () => (loads++, createEmfWriter) });
    expect(loads).toBe(0);
    onSummary(summary);
    onSummary({ ...summary, requestId: 'r2' });
    expect(loads).toBe(1);
    expect(lines.map((line) => (JSON.parse(line) as { requestId: string }).requestId)).toEqual(['r1', 'r2']);
  });

  it('a file that does not load: one ERROR naming it, no line, never a throw', () => {
    const logger = recordingLogger();
    const lines: string[] = [];
    const onSummary = lazyEmfWriter({ namespace: 'NS', functionName: 'fn', write: (line) => void lines.push(line), logger, load: () => MISSING() });
    expect(() => { onSummary(summary); onSummary(summary); }).not.toThrow();
    expect(lines).toEqual([]);
    expect(logger.records.map((r) => [r.level, r.errorMessage])).toEqual([['ERROR', "lambda-after-response/reporting.cjs did not load: Cannot find module './reporting.cjs'"]]);
    expect(logger.records[0]?.message).toContain('no EMF line is written');
  });
});

function fakeProcess(): ExitSource & { emit(event: 'exit' | 'SIGTERM'): void; killed: string[] } {
  const listeners: Record<string, Array<(code: number) => void>> = { exit: [], SIGTERM: [] };
  const source = {
    pid: 42, killed: [] as string[],
    once: (event: 'exit' | 'SIGTERM', listener: (code: number) => void) => void listeners[event]?.push(listener),
    listenerCount: () => listeners.SIGTERM?.length ?? 0,
    kill: (pid: number, signal: string) => void source.killed.push(`${pid} ${signal}`),
    emit: (event: 'exit' | 'SIGTERM') => { for (const listener of listeners[event]?.splice(0) ?? []) listener(0); },
  };
  return source;
}

describe('SIGTERM hand-offs: their code is loaded at a SIGTERM with tasks due only', () => {
  const task = { requestId: 'r1', name: 'task a', run: () => Promise.resolve() };

  it('not at exit, nor at a SIGTERM without tasks', () => {
    let loads = 0;
    for (const event of ['exit', 'SIGTERM'] as const) {
      const source = fakeProcess();
      installExitReport({ unfinished: () => [{ requestId: 'r1', jobs: ['job'] }], handOffs: () => [], logger: recordingLogger(), source, signals: 'main-thread', loadHandOff: () => (loads++, handOffAtShutdown) });
      source.emit(event);
    }
    expect(loads).toBe(0);
  });

  it('a file that does not load: one ERROR naming it, the tasks reported lost with the other jobs, the signal re-raised', async () => {
    const logger = recordingLogger();
    const source = fakeProcess();
    installExitReport({ unfinished: () => [{ requestId: 'r1', jobs: ['task a', 'job b'] }], handOffs: () => [task], logger, source, signals: 'main-thread', loadHandOff: () => MISSING() });
    source.emit('SIGTERM');
    await flush();
    expect(logger.records.map((r) => [r.level, r.errorMessage ?? r.jobs])).toEqual([
      ['ERROR', "lambda-after-response/reporting.cjs did not load: Cannot find module './reporting.cjs'"],
      ['ERROR', ['task a', 'job b']],
    ]);
    expect(source.killed).toEqual(['42 SIGTERM']);
  });
});

describe('the exit report is installed at the first work, not at init', () => {
  it.each(['enqueue', 'addFlusher', 'openExternal'] as const)('onFirstWork: told once, at the first %s', (first) => {
    let told = 0;
    const { tracker } = trackerSetup({ onFirstWork: () => void told++ });
    tracker.runtimeNext();
    expect(told).toBe(0);
    if (first === 'enqueue') tracker.enqueue(() => undefined, 'job');
    if (first === 'addFlusher') tracker.addFlusher(() => undefined, 'flusher');
    if (first === 'openExternal') tracker.openExternal('child job');
    expect(told).toBe(1);
    tracker.enqueue(() => undefined, 'job');
    tracker.addFlusher(() => undefined, 'flusher');
    tracker.openExternal('child job');
    expect(told).toBe(1);
  });

  it('a throwing onFirstWork is not called again', () => {
    let told = 0;
    const { tracker } = trackerSetup({ onFirstWork: () => { told++; throw new Error('install failed'); } });
    expect(() => tracker.enqueue(() => undefined, 'job')).toThrow('install failed');
    tracker.enqueue(() => undefined, 'job');
    expect(told).toBe(1);
  });
});
