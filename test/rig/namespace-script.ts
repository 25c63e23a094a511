// The script run in a private mount namespace (see namespace-mode.ts): mounts the Lambda file
// layout there (the host's /var, /opt and /tmp are never modified) and execs RIE.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote as q } from './shell-quote.ts';

export interface NamespaceLayout {
  sandboxDir: string;
  runtimeDir: string; // -> /var/runtime
  ricNodeModules: string; // -> /var/runtime/node_modules (the RIC and the AWS SDK's SQS client)
  nodeDir: string; // -> /var/lang
  taskDir: string; // -> /var/task
  layerDir: string | undefined; // -> /opt (undefined: empty tmpfs)
  tmpDir: string; // -> /tmp
  rie: string;
  runtimeApiPort: number;
  invokePort: number;
}

function bindReadOnly(source: string, target: string): string {
  return `mount --bind ${q(source)} ${target} && mount -o remount,bind,ro ${target}`;
}

/**
 * Lambda's /etc/passwd names the user the runtime runs as (public dumps of it from functions:
 * `sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin`); the host's has no uid 993.
 * RIE's Managed Instances mode runs the runtime as uid 993, where Lambda leaves HOME unset, so
 * without the entry `os.homedir()` throws `uv_os_homedir ENOENT` — and the AWS SDK, which falls
 * back to it for ~/.aws/config, rejects every send (measured under the rig, nodejs24.x).
 */
export const LAMBDA_USER = 'sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin';

/** The host's /etc/passwd plus Lambda's runtime user (unless uid 993 is there), bound over /etc/passwd in the namespace. */
function writePasswd(sandboxDir: string): string {
  const host = readFileSync('/etc/passwd', 'utf8');
  const has993 = host.split('\n').some((line) => line.split(':')[2] === '993');
  const path = join(sandboxDir, 'passwd');
  writeFileSync(path, has993 ? host : `${host.replace(/\n?$/, '\n')}${LAMBDA_USER}\n`, { mode: 0o644 });
  return path;
}

export function writeNamespaceScript(l: NamespaceLayout): string {
  const opt = l.layerDir === undefined ? 'mount -t tmpfs -o mode=755,size=1m rig-opt /opt' : bindReadOnly(l.layerDir, '/opt');
  const script = `#!/bin/bash
set -euo pipefail
# A tmpfs over /var inside this namespace provides the mount points without touching the host.
mount -t tmpfs -o mode=755 rig-var /var
mkdir -p /var/task /var/lang /var/runtime /var/tmp
# RIE is bound in too: its cache may live under /tmp, which the sandbox's own /tmp hides below.
touch /var/rig-rie && ${bindReadOnly(l.rie, '/var/rig-rie')}
${bindReadOnly(l.taskDir, '/var/task')}
${bindReadOnly(l.nodeDir, '/var/lang')}
mount --bind ${q(l.runtimeDir)} /var/runtime
${bindReadOnly(l.ricNodeModules, '/var/runtime/node_modules')}
mount -o remount,bind,ro /var/runtime
${opt}
# Before /tmp is replaced: the sandbox dir lives under the host's /tmp.
${bindReadOnly(writePasswd(l.sandboxDir), '/etc/passwd')}
mount --bind ${q(l.tmpDir)} /tmp
cd /var/task && unset OLDPWD
exec /var/rig-rie --runtime-api-address 127.0.0.1:${l.runtimeApiPort} \\
  --runtime-interface-emulator-address 127.0.0.1:${l.invokePort} /var/runtime/bootstrap
`;
  const path = join(l.sandboxDir, 'enter-namespace.sh');
  writeFileSync(path, script, { mode: 0o755 });
  return path;
}
