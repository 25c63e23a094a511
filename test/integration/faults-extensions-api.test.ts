// The Extensions API misbehaving, injected by the rig's recording proxy; both profiles.
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../rig/types.ts';
import { clearMarks, extensionLogs, PROFILES, readMark, sandboxFor, startWithLayer } from './product-helpers.ts';

const NEXT = /\/extension\/event\/next$/;
const REGISTER = /\/extension\/register$/;

/**
 * Two invokes of the plain fixture: each must answer 42 and, when held, finish its job before the
 * release. The faults below hit the extension's first `next`, which the proxy answers itself
 * during the first (lazy-init) invoke: the rig would take that answer for the first release, so
 * the held check starts at the second invoke there (`'after-first'`).
 */
async function twoHeldInvokes(box: Awaited<ReturnType<ReturnType<typeof sandboxFor>>>, held: boolean | 'after-first'): Promise<void> {
  for (let i = 0; i < 2; i++) {
    clearMarks(box, 'plain-done');
    const result = await box.invoke({ dir: '/tmp' });
    expect(result.json()).toMatchObject({ answer: 42 });
    expect(result.body).not.toContain('Task timed out');
    const done = readMark(box, 'plain-done')?.at;
    if (held === true || (held === 'after-first' && i > 0)) expect(done).toBeLessThanOrEqual(performance.timeOrigin + (result.extensionReleasedAt ?? NaN));
  }
}

const transient: Array<[string, FaultRule, string]> = [
  ['a connection reset in the middle of the next long-poll', { path: NEXT, action: { kind: 'drop', afterMs: 200 }, times: 1 }, 'next failed: polling again'],
  ['a garbled answer to next', { path: NEXT, action: { kind: 'garble' }, times: 1 }, 'next failed: polling again'],
  ['an unreadable event from next', { path: NEXT, action: { kind: 'status', status: 200, body: '{"eventType":' }, times: 1 }, 'next answered an unreadable event'],
];

describe('on nodejs22.x, a callback handler when the registration is never answered', () => {
  // RIC 3 answers a callback handler only once the event loop is empty: the unanswered register
  // call must not keep it alive once the extension has given up on it.
  const faults: FaultRule[] = [{ path: REGISTER, action: { kind: 'hang' } }];
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs22.x', handler: 'callback.handler', faults, timeoutSeconds: 10 }));

  it('answers every invoke (the given-up register call waits in the background)', async () => {
    const box = await sandbox();
    for (let i = 0; i < 2; i++) {
      const result = await box.invoke({ dir: '/tmp' });
      expect(result.json()).toMatchObject({ style: 'callback' });
    }
  });
});

describe.each(PROFILES)('on %s, when the Extensions API misbehaves', (profile) => {
  describe.each(transient)('%s', (_name, fault, logged) => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'plain.handler', faults: [fault], timeoutSeconds: 5 }));

    it('retries, says so once, and keeps holding every invoke', async () => {
      const box = await sandbox();
      await twoHeldInvokes(box, 'after-first');
      const lines = extensionLogs(box.logs());
      expect(lines.filter((l) => String(l.message).startsWith(logged))).toHaveLength(1);
      expect(lines.filter((l) => String(l.message).includes('extension loop stopped'))).toEqual([]);
    });
  });

  describe('a next that answers only after 2 s', () => {
    const faults: FaultRule[] = [{ path: NEXT, action: { kind: 'delay', ms: 2000 }, times: 2 }];
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'plain.handler', faults, timeoutSeconds: 8 }));

    it('waits (no timeout on next) and holds the jobs', async () => {
      const box = await sandbox();
      await twoHeldInvokes(box, true);
      expect(extensionLogs(box.logs()).filter((l) => l.level === 'WARN' || l.level === 'ERROR')).toEqual([]);
    });
  });

  describe.each([
    ['answers 500', { kind: 'status', status: 500, body: 'injected' }],
    ['drops the connection', { kind: 'drop' }],
  ] as const)('a registration that %s', (_name, action) => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'plain.handler', faults: [{ path: REGISTER, action }] }));

    it('leaves the function answering, with one ERROR saying jobs run unheld', async () => {
      const box = await sandbox();
      await twoHeldInvokes(box, false);
      const errors = extensionLogs(box.logs()).filter((l) => l.level === 'ERROR');
      expect(errors).toHaveLength(1);
      expect(String(errors[0]?.message)).toContain('registration with the Extensions API failed');
    });
  });

  describe('a registration accepted but never answered', () => {
    const faults: FaultRule[] = [{ path: REGISTER, action: { kind: 'hang' } }];
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'plain.handler', faults, timeoutSeconds: 10 }));

    it("gives up on it inside the init budget: the runtime's first next follows, the function answers, one ERROR says jobs run unheld", async () => {
      const box = await sandbox();
      await twoHeldInvokes(box, false);
      const errors = extensionLogs(box.logs()).filter((l) => l.level === 'ERROR');
      expect(errors.map((l) => l.message)).toEqual(['registration with the Extensions API was not answered within 3000 ms: jobs run unheld and may be frozen']);
      const calls = box.calls();
      const register = calls.find((c) => c.kind === 'extension-register');
      const firstNext = calls.find((c) => c.kind === 'runtime-next');
      expect(register?.fault).toBe('hang');
      expect(firstNext?.startedAt).toBeGreaterThan(register?.startedAt ?? NaN);
    });
  });

  describe('a registration that takes 2 s', () => {
    const faults: FaultRule[] = [{ path: REGISTER, action: { kind: 'delay', ms: 2000 } }];
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'plain.handler', faults, timeoutSeconds: 8 }));

    it("delays the runtime's first next (registration must come first), then holds normally", async () => {
      const box = await sandbox();
      await twoHeldInvokes(box, true);
      const calls = box.calls();
      const registered = calls.find((c) => c.kind === 'extension-register');
      const firstNext = calls.find((c) => c.kind === 'runtime-next');
      expect(registered).toMatchObject({ fault: 'delay', status: 200 });
      expect(firstNext?.startedAt, "the runtime's first next waited for the registration's answer").toBeGreaterThanOrEqual(registered?.endedAt ?? Infinity);
      expect(extensionLogs(box.logs()).filter((l) => l.level === 'WARN' || l.level === 'ERROR')).toEqual([]);
    });
  });
});
