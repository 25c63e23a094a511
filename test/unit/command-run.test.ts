// The run dir of `npm run invoke` / `npm run demo` (/tmp/lar-rig-*) is the command's own and is
// removed however the command ends: success, failure, SIGINT or SIGTERM (then an Interrupted
// with the shell's exit code replaces whatever the stopped sandbox made the body throw).
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Interrupted, withRigRun, type SignalSource } from '../demo/command-run.ts';
import { runDir, runDirVariable } from '../rig/run-dir.ts';

let saved: { tmp: string | undefined; runDir: string | undefined };
let scratch: string;
beforeEach(() => {
  saved = { tmp: process.env.TMPDIR, runDir: process.env[runDirVariable] };
  scratch = mkdtempSync(join(tmpdir(), 'lar-command-run-'));
  process.env.TMPDIR = scratch; // runDir() makes lar-rig-* here
  process.env[runDirVariable] = '/inherited/run/dir';
});
afterEach(() => {
  for (const [key, value] of [['TMPDIR', saved.tmp], [runDirVariable, saved.runDir]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(scratch, { recursive: true, force: true });
});

const signals = (): SignalSource & EventEmitter => new EventEmitter() as SignalSource & EventEmitter;

describe('withRigRun', () => {
  it('a run dir of its own (not the inherited one), removed after success; the inherited variable restored', async () => {
    let seen = '';
    const value = await withRigRun(async () => {
      seen = runDir();
      expect(existsSync(seen)).toBe(true);
      return 7;
    }, { signals: signals() });
    expect(value).toBe(7);
    expect(seen.startsWith(join(scratch, 'lar-rig-'))).toBe(true);
    expect(existsSync(seen)).toBe(false);
    expect(process.env[runDirVariable]).toBe('/inherited/run/dir');
  });

  it('removed after a failure, which is rethrown as it is', async () => {
    let seen = '';
    const failure = new Error('sandbox did not start');
    await expect(withRigRun(async () => {
      seen = runDir();
      throw failure;
    }, { signals: signals() })).rejects.toBe(failure);
    expect(existsSync(seen)).toBe(false);
  });

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s: the body\'s signal aborts, its error is replaced by Interrupted (exit %i), the dir removed, the listeners gone', async (name, exitCode) => {
    const source = signals();
    let seen = '';
    const ended = withRigRun(async (signal) => {
      seen = runDir();
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket hang up'))));
    }, { signals: source });
    await new Promise((resolve) => setImmediate(resolve));
    source.emit(name);
    const error: unknown = await ended.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect(error).toMatchObject({ signalName: name, exitCode, message: `stopped by ${name}: the sandbox is stopped and its files removed` });
    expect(existsSync(seen)).toBe(false);
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });

  it('a signal during a body that then returns normally still ends as Interrupted', async () => {
    const source = signals();
    await expect(withRigRun(async () => {
      source.emit('SIGTERM');
      return 'finished anyway';
    }, { signals: source })).rejects.toBeInstanceOf(Interrupted);
  });
});
