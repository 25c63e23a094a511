import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseHoldArgs } from '../../extension/hold-command/hold-args.ts';
import { describeStatus, runCommand, type RunOptions } from '../../extension/hold-command/run-command.ts';
import { createReservations, holdName, hookSpawn } from '../../extension/socket/spawn-reservations.ts';
import { recordingLogger } from './fakes.ts';

describe('parseHoldArgs', () => {
  it('takes the command after -- verbatim and names the job after it unless --name is given', () => {
    expect(parseHoldArgs(['--', 'sh', '-c', 'sleep 1 -- x'])).toEqual({ name: 'sh -c sleep 1 -- x', command: ['sh', '-c', 'sleep 1 -- x'] });
    expect(parseHoldArgs(['--name', 'thumbs', '--', 'convert', '--name'])).toEqual({ name: 'thumbs', command: ['convert', '--name'] });
    expect(parseHoldArgs(['--name=t', '--', 'true'])).toEqual({ name: 't', command: ['true'] });
  });

  it('explains what is wrong with a bad command line', () => {
    expect(parseHoldArgs(['sleep', '1'])).toMatchObject({ error: expect.stringContaining('unexpected argument "sleep"') });
    expect(parseHoldArgs(['--'])).toMatchObject({ error: expect.stringContaining('expected `--` followed by a command') });
    expect(parseHoldArgs([])).toMatchObject({ error: expect.stringContaining('usage: after-response-hold') });
  });
});

describe('runCommand', () => {
  const options = (overrides: Partial<RunOptions> = {}): RunOptions => ({ spawn, graceMs: 100, env: process.env, forward: () => undefined, stderr: () => undefined, ...overrides });

  it('passes the exit status through, and 128 + signal when the command is killed', async () => {
    expect(await runCommand(['sh', '-c', 'exit 3'], options())).toBe(3);
    expect(await runCommand(['sh', '-c', 'kill -9 $$'], options())).toBe(137);
    expect(await runCommand(['/nonexistent/command'], options())).toBe(127);
    expect(describeStatus('sleep', 143)).toBe('sleep was killed by SIGTERM (status 143)');
  });

  it('sends SIGTERM on abort and SIGKILL after the grace period to a command that ignores it', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = runCommand(['sh', '-c', "trap '' TERM; sleep 5 & wait; sleep 5"], options({ signal: controller.signal, graceMs: 150 }));
    setTimeout(() => controller.abort(), 50);
    expect(await running).toBe(137);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops a well-behaved command with SIGTERM alone', async () => {
    const controller = new AbortController();
    const running = runCommand(['sleep', '5'], options({ signal: controller.signal, graceMs: 5000 }));
    setTimeout(() => controller.abort(), 50);
    expect(await running).toBe(143);
  });
});

describe('spawn reservations', () => {
  it('recognises after-response-hold run directly or through a shell', () => {
    expect(holdName({ file: '/opt/bin/after-response-hold', args: ['/opt/bin/after-response-hold', '--', 'sh', '-c', 'sleep 1'] })).toBe('sh -c sleep 1');
    expect(holdName({ file: '/bin/sh', args: ['/bin/sh', '-c', 'after-response-hold --name x -- true'] })).toBe('after-response-hold');
    expect(holdName({ file: 'after-response-hold', args: ['after-response-hold', '--name', 'thumbs', '--', 'convert'] })).toBe('thumbs');
    expect(holdName({ file: 'ffmpeg', args: ['ffmpeg', '-i', 'in.mp4'] })).toBeUndefined();
  });

  it('opens the job when the command is spawned, hands it over once, and fails it if the child exits unclaimed', () => {
    const finished: unknown[] = [];
    const opened: string[] = [];
    const tracker = { openExternal: (name: string) => (opened.push(name), { finish: (o: unknown) => void finished.push(o), onAbort: () => undefined, requestId: () => 'r1', deadlineMs: () => 5000 }) };
    const reservations = createReservations(tracker, () => 'T1');
    const listeners = new Map<string, () => void>();
    const prototype = { spawn: (options: { envPairs: string[] }) => options.envPairs.length };
    hookSpawn(prototype, reservations, recordingLogger());
    const child = { once: (event: string, listener: () => void) => listeners.set(event, listener) };
    const envPairs = ['PATH=/bin'];
    expect(Reflect.apply(prototype.spawn, child, [{ file: 'after-response-hold', args: ['after-response-hold', '--', 'true'], envPairs }])).toBe(2);
    expect(envPairs).toContain('AFTER_RESPONSE_TICKET=T1');
    expect(opened).toEqual(['true']);
    listeners.get('exit')?.();
    expect(finished).toEqual([{ ok: false, message: 'after-response-hold exited before it connected' }]);
    expect(reservations.claim('T1')).toBeUndefined();
  });

  it('leaves other spawns alone', () => {
    const reservations = createReservations({ openExternal: () => { throw new Error('must not open'); } }, () => 'T');
    const prototype = { spawn: (options: { envPairs: string[] }) => options.envPairs.join() };
    hookSpawn(prototype, reservations, recordingLogger());
    expect(Reflect.apply(prototype.spawn, {}, [{ file: 'ls', args: ['ls'], envPairs: ['A=1'] }])).toBe('A=1');
  });
});
