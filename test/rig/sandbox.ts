// startSandbox(): one emulated Lambda function environment (RIE + RIC + optional layer) per test file.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { concurrencyRefusal, invokeAll } from './concurrent-invoke.ts';
import { functionEnv } from './function-env.ts';
import { postInvoke } from './invoke-http.ts';
import { invokeFacts } from './invoke-result.ts';
import { LogBuffer } from './log-buffer.ts';
import { writeNamespaceScript } from './namespace-script.ts';
import { freePorts } from './ports.ts';
import { RecordingProxy } from './recording-proxy.ts';
import { RieProcess } from './rie-process.ts';
import { runDir } from './run-dir.ts';
import { writeRuntimeDir } from './runtime-files.ts';
import { profileTools } from './tools.ts';
import type { ApiCall, ConcurrentInvokeOptions, ConcurrentInvokeResult, FaultRule, InvokeResult, Sandbox, SandboxOptions } from './types.ts';

export type { ApiCall, ConcurrentInvokeOptions, ConcurrentInvokeResult, FaultRule, InvokeResult, Profile, Sandbox, SandboxOptions } from './types.ts';

class RigSandbox implements Sandbox {
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly opts: SandboxOptions,
    private readonly dir: string,
    readonly tmpDir: string,
    private readonly proxy: RecordingProxy,
    private readonly rie: RieProcess,
    private readonly invokePort: number,
    private readonly logBuffer: LogBuffer,
  ) {}

  invoke(payload: unknown, options: { timeoutMs?: number } = {}): Promise<InvokeResult> {
    const run = this.queue.then(() => this.invokeNow(payload, options.timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Queued like invoke(), so a serial invoke's time window never overlaps these invokes. */
  invokeConcurrently(payloads: unknown[], options: ConcurrentInvokeOptions = {}): Promise<ConcurrentInvokeResult[]> {
    const refusal = concurrencyRefusal(this.opts);
    if (refusal !== undefined) return Promise.reject(new Error(refusal));
    const o = {
      timeoutMs: options.timeoutMs ?? ((this.opts.timeoutSeconds ?? 30) + 30) * 1000,
      idleRuntimes: options.idleRuntimes ?? payloads.length,
      readyWithinMs: options.readyWithinMs ?? 10_000,
      whenUnavailable: options.whenUnavailable ?? 'retry',
    };
    const target = { invokePort: this.invokePort, calls: () => this.proxy.calls };
    const run = this.queue.then(() => {
      if (this.stopped) throw new Error('sandbox is stopped');
      return invokeAll(target, payloads, o);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async invokeNow(payload: unknown, timeoutMs: number | undefined): Promise<InvokeResult> {
    if (this.stopped) throw new Error('sandbox is stopped');
    const freeze = this.opts.freeze ?? true;
    if (freeze) this.thaw();
    const startedAt = performance.now();
    const limit = timeoutMs ?? ((this.opts.timeoutSeconds ?? 30) + 30) * 1000;
    const { headers: _headers, ...response } = await postInvoke(this.invokePort, JSON.stringify(payload ?? null), limit);
    const returnedAt = performance.now();
    const runtimePid = this.runtimePid();
    await this.untilRuntimeNext(startedAt, startedAt + (this.opts.timeoutSeconds ?? 30) * 1000);
    await this.untilPostsAnswered(startedAt, performance.now() + 5000);
    const endedAt = performance.now();
    if (freeze) this.freeze();
    const facts = invokeFacts(this.proxy.calls, startedAt, returnedAt, endedAt);
    const result: InvokeResult = { ...response, json: () => JSON.parse(response.body) as unknown, ...facts };
    if (runtimePid !== undefined) result.runtimePid = runtimePid;
    if (freeze) result.frozenAt = endedAt;
    return result;
  }

  /** Lambda freezes only once the runtime, too, has called `next`; RIE may return before that. */
  private async untilRuntimeNext(startedAt: number, deadline: number): Promise<void> {
    const now = (): number => performance.now();
    for (let i = 0; now() < deadline; i++) {
      if (invokeFacts(this.proxy.calls, startedAt, now(), now()).runtimeNextAt !== undefined) return;
      if (i % 20 === 0 && this.runtimePid() === undefined) return; // runtime gone (reset): nothing to wait for
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * RIE may return the invoke before the proxy has relayed its answer to the runtime's POST of the
   * response. Outside Managed Instances the runtime's next `next` comes after it, but there another
   * worker's `next` can end untilRuntimeNext first (seen: the POST still open, so the facts had
   * no response). Waits for this request's open POSTs to be answered.
   */
  private async untilPostsAnswered(startedAt: number, deadline: number): Promise<void> {
    const { requestId } = invokeFacts(this.proxy.calls, startedAt, performance.now(), performance.now());
    const open = (): boolean => this.proxy.calls.some((c) => (c.kind === 'runtime-response' || c.kind === 'runtime-error') && c.requestId === requestId && Number.isNaN(c.endedAt));
    while (requestId !== undefined && open() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  /** The topmost process running the RIC launcher (a wrapper that execs keeps the pid). */
  private runtimePid(): number | undefined {
    const procs = this.rie.functionProcesses().filter((p) => p.cmdline.includes('/var/runtime/index.mjs'));
    const pids = new Set(procs.map((p) => p.pid));
    return procs.find((p) => !pids.has(p.ppid))?.pid;
  }

  logs(): string {
    return this.logBuffer.all();
  }

  logsSince(mark: number): string {
    return this.logBuffer.since(mark);
  }

  logMark(): number {
    return this.logBuffer.mark();
  }

  calls(): ApiCall[] {
    return this.proxy.calls.map((c) => ({ ...c }));
  }

  addFaults(rules: FaultRule[]): void {
    this.proxy.addFaults(rules);
  }

  thaw(): void {
    this.rie.signalFunction('SIGCONT');
  }

  freeze(): void {
    this.rie.signalFunction('SIGSTOP');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const left = await this.rie.stop();
    await this.proxy.close();
    rmSync(this.dir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`sandbox left processes behind: ${left.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`);
    }
  }
}

async function launch(opts: SandboxOptions, dir: string, tmpDir: string, logs: LogBuffer): Promise<RigSandbox> {
  const tools = profileTools(opts.profile);
  // The third port is never listened on: connections to it are refused (refuseExtensionConnections).
  const [runtimeApiPort = 0, invokePort = 0, refusedPort] = await freePorts(opts.refuseExtensionConnections ? 3 : 2);
  const proxy = await RecordingProxy.start(runtimeApiPort, opts.faults ?? []);
  try {
    const runtimeDir = writeRuntimeDir(dir, tools, proxy.port, opts.handler, refusedPort);
    const script = writeNamespaceScript({
      sandboxDir: dir, runtimeDir, ricNodeModules: join(tools.runtimeModulesDir, 'node_modules'), nodeDir: tools.nodeDir,
      taskDir: opts.taskDir, layerDir: opts.layerDir, tmpDir, rie: tools.rie, runtimeApiPort, invokePort,
    });
    const env = functionEnv({
      handler: opts.handler, timeoutSeconds: opts.timeoutSeconds ?? 30,
      memorySizeMb: opts.memorySizeMb ?? 512, extra: opts.env ?? {},
    });
    const marker = `${basename(runDir())}/${basename(dir)}/tmp`; // shows in the namespace's mountinfo
    const rie = await RieProcess.launch(script, marker, env, [runtimeApiPort, invokePort], logs);
    writeFileSync(join(runDir(), 'namespaces', basename(dir)), JSON.stringify(rie.identity));
    return new RigSandbox(opts, dir, tmpDir, proxy, rie, invokePort, logs);
  } catch (err) {
    await proxy.close();
    throw err;
  }
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const dir = mkdtempSync(join(runDir(), 'sbx-'));
  const tmpDir = join(dir, 'tmp');
  mkdirSync(tmpDir);
  chmodSync(tmpDir, 0o1777);
  const logs = new LogBuffer();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, dir, tmpDir, logs);
    } catch (err) {
      // A probed port can be taken before RIE binds it: retry with fresh ports.
      if (attempt >= 5 || !/ports .* never opened|did not open/.test(String(err))) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${String(err)}\n--- sandbox output ---\n${logs.all()}`, { cause: err });
      }
      logs.note(`retrying start: ${String(err)}`);
    }
  }
}
