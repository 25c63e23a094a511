// Starts RIE inside its private mount namespace and stops everything that namespace holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LogBuffer } from './log-buffer.ts';
import { unshareArgs, unshareCommand } from './namespace-mode.ts';
import { waitForListeners } from './ports.ts';
import { mountNamespace, processesOf, signal, signalAll, type ProcInfo, type SandboxIdentity } from './process-tree.ts';

export class RieProcess {
  private exitNote: string | undefined;

  private constructor(readonly child: ChildProcess, readonly pid: number, private readonly marker: string, private ns = '') {
    child.on('exit', (code, sig) => {
      this.exitNote = `RIE exited (code ${String(code)}, signal ${String(sig)})`;
    });
  }

  /** Runs `script` (which execs RIE) in a private mount namespace (see namespace-mode.ts), with exactly `env`, as a new process group. */
  static async launch(script: string, marker: string, env: Record<string, string>, ports: number[], logs: LogBuffer): Promise<RieProcess> {
    const child = spawn(unshareCommand, [...unshareArgs(), '/bin/bash', script], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.attach(child.stdout);
    logs.attach(child.stderr);
    if (child.pid === undefined) throw new Error('could not spawn unshare');
    const rie = new RieProcess(child, child.pid, marker);
    try {
      await waitForListeners(rie.pid, ports, 15000, () => rie.exitNote);
      rie.ns = mountNamespace(rie.pid) ?? '';
      if (rie.ns === '' || rie.ns === mountNamespace(process.pid)) throw new Error('RIE is not in a private mount namespace');
      return rie;
    } catch (err) {
      if (rie.exitNote === undefined) signal(-rie.pid, 'SIGKILL');
      throw err;
    }
  }

  get identity(): SandboxIdentity {
    return { ns: this.ns, marker: this.marker };
  }

  get exited(): string | undefined {
    return this.exitNote;
  }

  /** Every live process of the sandbox other than RIE itself (runtime, extensions, children). */
  functionProcesses(): ProcInfo[] {
    return processesOf([this.identity]).filter((p) => p.pid !== this.pid);
  }

  signalFunction(sig: NodeJS.Signals): void {
    // Twice: a process forked while the first pass ran is caught by the second.
    for (let i = 0; i < 2; i++) signalAll(this.functionProcesses(), sig, this.pid, this.pid);
    if (sig === 'SIGSTOP') this.waitUntilStopped(500);
  }

  /** Signals are delivered asynchronously: a freeze is complete once every process shows `T`. */
  private waitUntilStopped(ms: number): void {
    const deadline = performance.now() + ms;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (performance.now() < deadline && this.functionProcesses().some((p) => !isStopped(p.pid))) Atomics.wait(nap, 0, 0, 1);
  }

  /** SIGCONT, SIGTERM, then SIGKILL; returns processes still alive afterwards (should be none). */
  async stop(graceMs = 2000): Promise<ProcInfo[]> {
    this.signalFunction('SIGCONT');
    // Signal RIE by pid only while it is unreaped: pids wrap fast (pid_max may be 32768).
    if (this.exitNote === undefined) signal(this.pid, 'SIGTERM');
    await this.waitUntilEmpty(graceMs);
    if (this.exitNote === undefined) signal(-this.pid, 'SIGKILL');
    for (let i = 0; i < 2; i++) signalAll(processesOf([this.identity]), 'SIGKILL', -1, -1);
    await this.waitUntilEmpty(2000);
    return processesOf([this.identity]);
  }

  private async waitUntilEmpty(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline && (this.exitNote === undefined || processesOf([this.identity]).length > 0)) {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[TtZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // gone
  }
}
