import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseHoldArgs } from '../../shared/hold-args.ts';
import { hold, killDelayMs } from '../../extension/hold-command/hold.ts';
import { describeStatus, runCommand, type RunOptions } from '../../extension/hold-command/run-command.ts';
import { holdName } from '../../extension/socket/hold-name.ts';
import { createReservations, hookSpawn } from '../../extension/socket/spawn-reservations.ts';
import { recordingLogger } from './fakes.ts';
import { startSocketRig } from './socket-helpers.ts';

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
  const options = (overrides: Partial<RunOptions> = {}): RunOptions => ({ spawn, killDelayMs: () => 100, env: process.env, forward: () => undefined, stderr: () => undefined, ...overrides });

  it('passes the exit status through, and 128 + signal when the command is killed', async () => {
    expect(await runCommand(['sh', '-c', 'exit 3'], options())).toBe(3);
    expect(await runCommand(['sh', '-c', 'kill -9 $$'], options())).toBe(137);
    expect(await runCommand(['/nonexistent/command'], options())).toBe(127);
    expect(describeStatus('sleep', 143)).toBe('sleep was killed by SIGTERM (status 143)');
  });

  /** A temp dir the command marks files in: `ready` once its traps are set, so the abort never races them. */
  const marks = () => {
    const dir = mkdtempSync(join(tmpdir(), 'after-response-hold-'));
    const ready = async (): Promise<void> => {
      while (!existsSync(join(dir, 'ready'))) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    return { dir, ready, has: (name: string) => existsSync(join(dir, name)), remove: () => rmSync(dir, { recursive: true, force: true }) };
  };

  it('sends SIGTERM on abort and SIGKILL after the grace period to a command that survives SIGTERM', async () => {
    const m = marks();
    try {
      const controller = new AbortController();
      const stderr: string[] = [];
      // Handles SIGTERM (marks it) and keeps going: only SIGKILL ends it.
      const script = `trap ': > "$MARKS/term"' TERM; : > "$MARKS/ready"; while :; do sleep 0.05; done`;
      const running = runCommand(['sh', '-c', script], options({ signal: controller.signal, killDelayMs: () => 150, env: { ...process.env, MARKS: m.dir }, stderr: (text) => void stderr.push(text) }));
      await m.ready();
      controller.abort();
      expect(await running).toBe(137);
      expect(m.has('term'), 'SIGTERM came first, and the command handled it before SIGKILL').toBe(true);
      expect(stderr).toEqual(["after-response-hold: the invoke's deadline is near: SIGTERM to sh, SIGKILL in 150 ms\n"]);
    } finally {
      m.remove();
    }
  });

  it('gives a command that cleans up on SIGTERM the grace to finish, with its own status', async () => {
    const m = marks();
    try {
      const controller = new AbortController();
      // The clean-up takes 300 ms: killed at once, it would end with 137 and no `cleaned` mark.
      const script = `trap 'sleep 0.3; : > "$MARKS/cleaned"; exit 7' TERM; : > "$MARKS/ready"; sleep 5 & wait`;
      const running = runCommand(['sh', '-c', script], options({ signal: controller.signal, killDelayMs: () => 5000, env: { ...process.env, MARKS: m.dir } }));
      await m.ready();
      controller.abort();
      expect(await running).toBe(7);
      expect(m.has('cleaned')).toBe(true);
    } finally {
      m.remove();
    }
  });

  it('stops a well-behaved command with SIGTERM alone', async () => {
    const controller = new AbortController();
    const running = runCommand(['sleep', '5'], options({ signal: controller.signal, killDelayMs: () => 5000 }));
    setTimeout(() => controller.abort(), 50);
    expect(await running).toBe(143);
  });
});

describe('spawn reservations', () => {
  const spawned = (file: string, ...args: string[]) => ({ file, args: [file, ...args] });

  it('recognises after-response-hold by its executable, run directly or as the first command of a shell -c', () => {
    expect(holdName(spawned('/opt/bin/after-response-hold', '--', 'sh', '-c', 'sleep 1'))).toBe('sh -c sleep 1');
    expect(holdName(spawned('after-response-hold', '--name', 'thumbs', '--', 'convert'))).toBe('thumbs');
    expect(holdName(spawned('./bin/after-response-hold', '--name=t', '--', 'true'))).toBe('t');
    expect(holdName(spawned('/bin/sh', '-c', 'after-response-hold --name x -- true'))).toBe('x');
    expect(holdName(spawned('bash', '-lc', "exec FOO=1 BAR='a b' /opt/bin/after-response-hold --name 'my job' -- convert in.jpg out.png; echo done"))).toBe('my job');
    expect(holdName(spawned('dash', '-e', '-c', '"/opt/bin/after-response-hold" -- ffmpeg -i "in put.mp4"'))).toBe('ffmpeg -i in put.mp4');
    expect(holdName(spawned('/usr/bin/zsh', '-c', 'after-response-hold -- true', 'argv0'))).toBe('true');
    // It will refuse its arguments (exit 2): still the hold command, so its reservation is cancelled when it exits.
    expect(holdName(spawned('after-response-hold', 'oops'))).toBe('after-response-hold');
  });

  it('does not take a command line that merely mentions after-response-hold for it', () => {
    expect(holdName(spawned('grep', 'after-response-hold', 'file.txt'))).toBeUndefined();
    expect(holdName(spawned('echo', 'after-response-hold'))).toBeUndefined();
    expect(holdName(spawned('cat', 'after-response-hold.log'))).toBeUndefined();
    expect(holdName(spawned('/bin/sh', '-c', 'grep after-response-hold x'))).toBeUndefined();
    expect(holdName(spawned('sh', '-c', 'cat /opt/bin/after-response-hold | wc -c'))).toBeUndefined();
    expect(holdName(spawned('sh', '-c', 'true; after-response-hold -- true'))).toBeUndefined(); // not its first command
    expect(holdName(spawned('sh', 'after-response-hold'))).toBeUndefined(); // a script file, no -c
    expect(holdName(spawned('/opt/bin/after-response-hold.bak', '--', 'true'))).toBeUndefined();
    expect(holdName(spawned('python3', '-c', 'after-response-hold'))).toBeUndefined(); // not a shell
    expect(holdName(spawned('ffmpeg', '-i', 'in.mp4'))).toBeUndefined();
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

  it('leaves other spawns alone, and reserves nothing while the socket is off', () => {
    const reservations = createReservations({ openExternal: () => { throw new Error('must not open'); } }, () => 'T');
    const prototype = { spawn: (options: { envPairs: string[] }) => options.envPairs.join() };
    let listening = true;
    hookSpawn(prototype, reservations, recordingLogger(), () => listening);
    expect(Reflect.apply(prototype.spawn, {}, [{ file: 'ls', args: ['ls'], envPairs: ['A=1'] }])).toBe('A=1');
    expect(Reflect.apply(prototype.spawn, {}, [{ file: 'grep', args: ['grep', 'after-response-hold', 'f'], envPairs: ['A=1'] }])).toBe('A=1');
    listening = false;
    const hold = { file: 'after-response-hold', args: ['after-response-hold', '--', 'true'], envPairs: ['A=1'] };
    expect(Reflect.apply(prototype.spawn, { once: () => undefined }, [hold])).toBe('A=1');
  });
});

describe('after-response-hold under the extension', () => {
  it('sends SIGKILL at three quarters of the grace the abort event announces, or at half the margin without one', () => {
    expect(killDelayMs(200, 500)).toBe(150);
    expect(killDelayMs(0, 500)).toBe(0);
    expect(killDelayMs(undefined, 500)).toBe(250);
  });

  it('kills a command that ignores SIGTERM before the release, and leaves reporting its failure to the extension', async () => {
    const rig = await startSocketRig({ marginMs: 300, graceMs: 200 });
    try {
      const current = rig.invoke(800); // the abort comes 500 ms from now: the command is running by then
      const ticket = rig.reservations.reserve('stubborn');
      current.handlerDone();
      const stderr: string[] = [];
      const env = { PATH: process.env.PATH, AFTER_RESPONSE_SOCKET: rig.path, AFTER_RESPONSE_TICKET: ticket };
      const command = ['sh', '-c', "trap '' TERM; sleep 5 & wait; sleep 5"] as const;
      const status = hold({ name: 'stubborn', command }, { env, spawn, forward: () => undefined, stderr: (text) => void stderr.push(text), exit: () => undefined });
      expect(await status).toBe(137);
      expect(stderr.join('')).toContain('SIGTERM to sh, SIGKILL in 150 ms');
      expect(stderr.join('')).not.toContain('ERROR');
      expect((await current.released).reason).toBe('deadline');
      expect(rig.logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', requestId: current.requestId, errorType: 'CommandFailed', errorMessage: 'sh was killed by SIGKILL (status 137)' }));
      expect(rig.logger.records).not.toContainEqual(expect.objectContaining({ message: expect.stringContaining('abandoning') }));
    } finally {
      await rig.close();
    }
  });

  it("still passes the deadline abort to a command started before the extension's answer came (after its wait)", async () => {
    const rig = await startSocketRig({ marginMs: 300, graceMs: 200 });
    try {
      const current = rig.invoke(800); // the abort comes 500 ms from now
      const ticket = rig.reservations.reserve('late-answer');
      current.handlerDone();
      const stderr: string[] = [];
      const env = { PATH: process.env.PATH, AFTER_RESPONSE_SOCKET: rig.path, AFTER_RESPONSE_TICKET: ticket };
      // The extension's answer is read only after the wait is over: the command is running by then.
      const connect = (path: string): Socket => {
        const socket = createConnection(path).pause();
        const wait = setInterval(() => stderr.join('').includes('running the command now') && (clearInterval(wait), socket.resume()), 5);
        return socket;
      };
      const status = hold({ name: 'late-answer', command: ['sleep', '3'] }, { env, spawn, forward: () => undefined, stderr: (text) => void stderr.push(text), exit: () => undefined, connect, answerTimeoutMs: 20 });
      expect(await status).toBe(143);
      const said = stderr.join('');
      expect(said.indexOf('running the command now')).toBeLessThan(said.indexOf('SIGTERM to sleep'));
      expect((await current.released).reason).toBe('deadline');
      expect(rig.logger.records).toContainEqual(expect.objectContaining({ level: 'ERROR', requestId: current.requestId, errorType: 'CommandFailed', errorMessage: 'sleep was killed by SIGTERM (status 143)' }));
    } finally {
      await rig.close();
    }
  });

  it('runs the command unheld without a socket: with a warning, except on Managed Instances where nothing freezes', async () => {
    for (const [extra, warned] of [[{}, true], [{ AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' }, false]] as const) {
      const stderr: string[] = [];
      const env = { PATH: process.env.PATH, ...extra };
      const status = await hold({ name: 'plain', command: ['true'] }, { env, spawn, forward: () => undefined, stderr: (text) => void stderr.push(text), exit: () => undefined });
      expect(status).toBe(0);
      expect(stderr.join('').includes('AFTER_RESPONSE_SOCKET is not set')).toBe(warned);
    }
  });
});
