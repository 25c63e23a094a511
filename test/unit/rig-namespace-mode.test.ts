// The rig's choice of namespace (root: mount namespace; others: user + mount namespace) and the
// message when the kernel refuses it, with a stand-in unshare that fails like the real one does.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { namespaceProblem, unshareArgs } from '../rig/namespace-mode.ts';

const dir = mkdtempSync(join(tmpdir(), 'lar-ns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const refusing = join(dir, 'unshare');
writeFileSync(refusing, '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n');
chmodSync(refusing, 0o755);
const settings = (values: Record<string, string>) => (path: string): string | undefined => values[path];

describe('rig namespaces', () => {
  test('root gets a mount namespace; any other user a user namespace mapped to root first', () => {
    expect(unshareArgs(0)).toEqual(['--mount', '--propagation', 'private']);
    expect(unshareArgs(1001)).toEqual(['--user', '--map-root-user', '--mount', '--propagation', 'private']);
  });

  test('works here as this user (the rig would refuse to start otherwise)', () => {
    expect(namespaceProblem()).toBeUndefined();
  });

  test.each([
    [{ '/proc/sys/kernel/unprivileged_userns_clone': '0' }, 'sysctl -w kernel.unprivileged_userns_clone=1'],
    [{ '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1' }, 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'],
    [{ '/proc/sys/user/max_user_namespaces': '0' }, 'sysctl -w user.max_user_namespaces=15000'],
    [{ '/proc/sys/user/max_user_namespaces': '96365' }, 'seccomp'],
  ])('refused for a non-root user: names what unshare said, the cause (%o) and the fix', (values, fix) => {
    const message = namespaceProblem({ uid: 1001, unshare: refusing, sysctl: settings(values) }) ?? '';
    expect(message).toContain('running as uid 1001');
    expect(message).toContain('Operation not permitted');
    expect(message).toContain(fix);
    expect(message).toContain('Or run npm test as root');
  });

  test('refused for root: names the missing capability', () => {
    expect(namespaceProblem({ uid: 0, unshare: refusing, sysctl: settings({}) })).toMatch(/as root .*Operation not permitted.*CAP_SYS_ADMIN/);
  });
});
