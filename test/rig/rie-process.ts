// Starts RIE inside its private mount namespace and stops everything that namespace holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { LogBuffer } from './log-buffer.ts';
import { waitForPort } from './ports.ts';
import { mountNamespace, processesIn, signal, signalAll, type ProcInfo } from './process-tree.ts';

export class RieProcess {
  private exitNote: string | undefined;

  private constructor(readonly child: ChildProcess, readonly pid: number, private ns = '') {
    child.on('exit', (code, sig) => {
      this.exitNote = `RIE exited (code ${String(code)}, signal ${String(sig)})`;
    });
  }

  /** Runs `script` (which execs RIE) under `unshare -m`, with exactly `env`, as a new process group. */
  static async launch(script: string, env: Record<string, string>, invokePort: number, logs: LogBuffer): Promise<RieProcess> {
    const child = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/bash', script], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.attach(child.stdout);
    logs.attach(child.stderr);
    if (child.pid === undefined) throw new Error('could not spawn unshare');
    const rie = new RieProcess(child, child.pid);
    try {
      await waitForPort(invokePort, 15000, () => rie.exitNote);
      rie.ns = mountNamespace(rie.pid) ?? '';
      if (rie.ns === '' || rie.ns === mountNamespace(process.pid)) throw new Error('RIE is not in a private mount namespace');
      return rie;
    } catch (err) {
      signal(-rie.pid, 'SIGKILL');
      throw err;
    }
  }

  get namespace(): string {
    return this.ns;
  }

  get exited(): string | undefined {
    return this.exitNote;
  }

  /** Every live process of the sandbox other than RIE itself (runtime, extensions, children). */
  functionProcesses(): ProcInfo[] {
    return processesIn(new Set([this.ns])).filter((p) => p.pid !== this.pid);
  }

  signalFunction(sig: NodeJS.Signals): void {
    // Twice: a process forked while the first pass ran is caught by the second.
    for (let i = 0; i < 2; i++) signalAll(this.functionProcesses(), sig, this.pid, this.pid);
  }

  /** SIGCONT, SIGTERM, then SIGKILL; returns processes still alive afterwards (should be none). */
  async stop(graceMs = 2000): Promise<ProcInfo[]> {
    this.signalFunction('SIGCONT');
    signal(this.pid, 'SIGTERM');
    await this.waitUntilEmpty(graceMs);
    for (const p of processesIn(new Set([this.ns]))) signal(p.pid, 'SIGKILL');
    signal(-this.pid, 'SIGKILL');
    this.signalFunction('SIGKILL');
    await this.waitUntilEmpty(2000);
    return processesIn(new Set([this.ns]));
  }

  private async waitUntilEmpty(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline && (this.exitNote === undefined || processesIn(new Set([this.ns])).length > 0)) {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
