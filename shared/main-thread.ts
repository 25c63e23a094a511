/**
 * Whether this is the process's main thread, without loading `node:worker_threads`: that costs
 * ~1.6 ms in a bare Node 22 process and 0.5 ms of the preload's CPU once the runtime client's
 * builtins are loaded (bench/init-micro.ts, n=51; RIC 3.3 never loads it, RIC 4.0 does).
 * In worker threads Node replaces `process.chdir` (which a worker may not call) by a stub flagged
 * `disabled: true` (Node's `does_not_own_process_state` bootstrap, 22 and 24; the rig's
 * worker-thread tests check it on both profiles).
 */
export function isMainThread(proc: { readonly chdir: unknown }): boolean {
  const chdir = proc.chdir;
  return !(typeof chdir === 'function' && Reflect.get(chdir, 'disabled') === true);
}
