// Runs ElasticMQ (an SQS-compatible server on the JVM) for the rig: bound to 127.0.0.1 on a port
// of its own, in a private mount namespace registered like a sandbox's, so the integration
// project's global teardown finds (and kills) it if a test file never stopped it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LogBuffer } from './log-buffer.ts';
import { unshareArgs, unshareCommand } from './namespace-mode.ts';
import { freePorts, waitForListeners } from './ports.ts';
import { mountNamespace, processesOf, signal, signalAll, type ProcInfo, type SandboxIdentity } from './process-tree.ts';
import { runDir } from './run-dir.ts';
import { shellQuote as q } from './shell-quote.ts';
import type { ElasticMqTools } from './tools.ts';

export interface ElasticMqSettings {
  readonly region: string;
  readonly accountId: string;
  readonly limits: 'strict' | 'relaxed'; // ElasticMQ's sqs-limits: strict enforces SQS's ranges
}

// JIT tier 1, the serial collector and the class archive (AppCDS) provision.sh dumps: ready in
// 1.3-1.7 s on the shared 2-core machine at load 14 (2.2-3.9 s without the archive), ~150 MB RSS.
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xmx256m', '-XX:-UsePerfData', '-Djava.net.preferIPv4Stack=true'];

/** ElasticMQ's HOCON config: the queue URLs it hands out carry node-address, so both name the bound port. */
function config(port: number, s: ElasticMqSettings): string {
  return `include classpath("application.conf")
node-address { protocol = http, host = "127.0.0.1", port = ${port}, context-path = "" }
generate-node-address = false
rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "127.0.0.1", sqs-limits = ${s.limits} }
rest-stats { enabled = false }
aws { region = "${s.region}", accountId = "${s.accountId}" }
`;
}

function script(dir: string, tools: ElasticMqTools): string {
  const archive = tools.classArchive === undefined ? '' : ` -XX:SharedArchiveFile=${q(tools.classArchive)}`;
  // The self bind shows the instance's dir in its namespace's mountinfo: the registry's marker.
  return `#!/bin/bash
set -euo pipefail
mount --bind ${q(dir)} ${q(dir)}
exec ${q(tools.java)} ${JVM_FLAGS.join(' ')}${archive} -Djava.io.tmpdir=${q(join(dir, 'tmp'))} \\
  -Dconfig.file=${q(join(dir, 'elasticmq.conf'))} -cp ${q(tools.classpath)} org.elasticmq.server.Main
`;
}

export class ElasticMqProcess {
  private exitNote: string | undefined;
  private stopped = false;

  private constructor(
    child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    private readonly dir: string,
    private identity: SandboxIdentity,
  ) {
    child.on('exit', (code, sig) => {
      this.exitNote = `ElasticMQ exited (code ${String(code)}, signal ${String(sig)})`;
    });
  }

  /** Starts ElasticMQ on a free port; resolves once its own process listens there. Retries a port lost to a race. */
  static async launch(tools: ElasticMqTools, settings: ElasticMqSettings, logs: LogBuffer): Promise<ElasticMqProcess> {
    for (let attempt = 1; ; attempt++) {
      const [port = 0] = await freePorts(1);
      try {
        return await ElasticMqProcess.launchOn(port, tools, settings, logs);
      } catch (err) {
        if (attempt >= 5 || !/never opened/.test(String(err))) throw err;
        logs.note(`retrying ElasticMQ start: ${String(err)}`);
      }
    }
  }

  private static async launchOn(port: number, tools: ElasticMqTools, settings: ElasticMqSettings, logs: LogBuffer): Promise<ElasticMqProcess> {
    const dir = mkdtempSync(join(runDir(), 'emq-'));
    mkdirSync(join(dir, 'tmp'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'elasticmq.conf'), config(port, settings));
    writeFileSync(join(dir, 'start.sh'), script(dir, tools), { mode: 0o755 });
    const child = spawn(unshareCommand, [...unshareArgs(), '/bin/bash', join(dir, 'start.sh')], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.attach(child.stdout);
    logs.attach(child.stderr);
    if (child.pid === undefined) throw new Error('could not spawn unshare for ElasticMQ');
    const marker = `${basename(runDir())}/${basename(dir)}`;
    const server = new ElasticMqProcess(child, child.pid, port, dir, { ns: '', marker });
    try {
      await waitForListeners(server.pid, [port], 60_000, () => server.exitNote);
      server.register();
      return server;
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw err;
    }
  }

  private register(): void {
    const ns = mountNamespace(this.pid) ?? '';
    if (ns === '' || ns === mountNamespace(process.pid)) throw new Error('ElasticMQ is not in a private mount namespace');
    this.identity = { ns, marker: this.identity.marker };
    writeFileSync(join(runDir(), 'namespaces', basename(this.dir)), JSON.stringify(this.identity));
  }

  get exited(): string | undefined {
    return this.exitNote;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes its dir. Returns processes still alive (should be none). */
  async stop(graceMs = 3000): Promise<ProcInfo[]> {
    if (this.stopped) return [];
    this.stopped = true;
    if (this.exitNote === undefined) signal(this.pid, 'SIGTERM');
    await this.untilExited(graceMs);
    if (this.exitNote === undefined) signal(-this.pid, 'SIGKILL');
    await this.untilExited(3000);
    if (this.identity.ns !== '') signalAll(processesOf([this.identity]), 'SIGKILL', -1, -1);
    const left = this.identity.ns === '' ? [] : processesOf([this.identity]);
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }

  private async untilExited(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.exitNote === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  }
}
