// How the rig gets its private mount namespace. As root: `unshare -m`. As another user: a user
// namespace in which that user is root (`unshare --user --map-root-user --mount`), where the
// kernel allows unprivileged user namespaces; otherwise the integration run stops at once with
// the cause and the fix (checked once, in global setup).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const unshareCommand = '/usr/bin/unshare';

/** The unshare arguments that put a command in a private mount namespace as this process's user. */
export function unshareArgs(uid: number = process.getuid?.() ?? 0): string[] {
  const base = ['--mount', '--propagation', 'private'];
  return uid === 0 ? base : ['--user', '--map-root-user', ...base];
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** What a refused user namespace is due to, read from the kernel's settings, with the fix. */
function refusalCause(sysctl: (path: string) => string | undefined): string {
  if (sysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return 'kernel.unprivileged_userns_clone is 0 (unprivileged user namespaces are off); fix, as root: sysctl -w kernel.unprivileged_userns_clone=1';
  }
  if (sysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return 'kernel.apparmor_restrict_unprivileged_userns is 1 (AppArmor confines unprivileged user namespaces, as on Ubuntu 23.10+); fix, as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for /usr/bin/unshare with the "userns" permission';
  }
  if (sysctl('/proc/sys/user/max_user_namespaces') === '0') {
    return 'user.max_user_namespaces is 0; fix, as root: sysctl -w user.max_user_namespaces=15000';
  }
  return 'the kernel settings allow it, so a seccomp filter or a missing capability (a container runtime\'s default profile) forbids it; fix: run the container with user namespaces allowed (e.g. a seccomp profile that permits unshare/clone with CLONE_NEWUSER)';
}

/**
 * Tries what the sandbox does (a private mount namespace with a tmpfs over /var) and returns
 * undefined when it works, else a message naming the cause and the fix.
 */
export interface NamespaceProbeOptions {
  /** @default process.getuid() */
  readonly uid?: number;
  /** @default /usr/bin/unshare */
  readonly unshare?: string;
  /** Reads a /proc/sys file (trimmed), undefined when absent. @default readFileSync */
  readonly sysctl?: (path: string) => string | undefined;
}

export function namespaceProblem(options: NamespaceProbeOptions = {}): string | undefined {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const unshare = options.unshare ?? unshareCommand;
  const probe = spawnSync(unshare, [...unshareArgs(uid), '/bin/sh', '-c', 'mount -t tmpfs -o mode=755 rig-probe /var'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.error === undefined && probe.status === 0) return undefined;
  const said = (probe.error?.message ?? probe.stderr).trim();
  if (uid === 0) {
    return `rig: cannot create a private mount namespace as root (${unshare} ${unshareArgs(uid).join(' ')}: ${said}); the rig needs CAP_SYS_ADMIN (in a container: --privileged or --cap-add SYS_ADMIN)`;
  }
  return `rig: running as uid ${uid}, the rig needs an unprivileged user + mount namespace (${unshare} ${unshareArgs(uid).join(' ')}), which failed: ${said}. Cause: ${refusalCause(options.sysctl ?? readSysctl)}. Or run npm test as root.`;
}
