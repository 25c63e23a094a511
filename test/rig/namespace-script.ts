// The script run in a private mount namespace (see namespace-mode.ts): mounts the Lambda file
// layout there (the host's /var, /opt and /tmp are never modified) and execs RIE.
import { writeFileSync } from 'node:fs';
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
mount --bind ${q(l.tmpDir)} /tmp
cd /var/task && unset OLDPWD
exec /var/rig-rie --runtime-api-address 127.0.0.1:${l.runtimeApiPort} \\
  --runtime-interface-emulator-address 127.0.0.1:${l.invokePort} /var/runtime/bootstrap
`;
  const path = join(l.sandboxDir, 'enter-namespace.sh');
  writeFileSync(path, script, { mode: 0o755 });
  return path;
}
