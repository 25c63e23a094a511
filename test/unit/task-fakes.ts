import type { Job, JobContext } from '../../shared/host-protocol.ts';
import type { SendRequest, TaskSender } from '../../client/tasks/sender.ts';
import { createTaskApi, type TaskApi } from '../../client/tasks/index.ts';
import type { HandOffReason, TaskHost } from '../../client/tasks/types.ts';
import { manualTimers, recordingLogger } from './fakes.ts';

/** A sender that records every message; `mode` decides whether a send succeeds, fails or hangs. */
export function fakeSender() {
  const sent: SendRequest[] = [];
  const events: string[] = [];
  let warmed = 0;
  const state = { mode: 'ok' as 'ok' | 'fail' | 'hang' };
  const sender: TaskSender = {
    send(request) {
      events.push('send');
      if (state.mode === 'fail') return Promise.reject(new Error('AWS.SimpleQueueService.NonExistentQueue'));
      if (state.mode === 'hang') return new Promise(() => {});
      sent.push(request);
      return Promise.resolve();
    },
    warm: () => void warmed++,
  };
  return { sender, sent, events, state, warmed: () => warmed };
}

interface HostedJob {
  readonly name: string;
  readonly job: Job;
  readonly handOff: ((reason: HandOffReason) => Promise<void>) | undefined;
  readonly task: { readonly taskId: string; readonly attempt: number } | undefined;
}

/** A host that keeps the jobs; the test starts them with a context it chooses. */
export function fakeTaskHost(options: { handsOff?: boolean; deadlineMs?: number; requestId?: string } = {}) {
  const jobs: HostedJob[] = [];
  const host: TaskHost = {
    enqueue: (job, { name, handOff, task }) => void jobs.push({ job, name, handOff, task }),
    handsOff: options.handsOff ?? true,
    currentDeadlineMs: () => options.deadlineMs,
    currentRequestId: () => options.requestId,
  };
  const run = (index: number, context: Partial<JobContext> = {}): Promise<unknown> => {
    const entry = jobs[index];
    if (!entry || typeof entry.job !== 'function') throw new Error(`no job function at ${index}`);
    const full: JobContext = { signal: new AbortController().signal, requestId: 'r1', deadlineMs: 1_000_000 + 3000, ...context };
    return Promise.resolve().then(() => (entry.job as (c: JobContext) => unknown)(full));
  };
  return { host, jobs, run };
}

/** A task API on fakes: a queue unless `queue: false`. */
export function taskSetup(options: { queue?: boolean; handsOff?: boolean; env?: Record<string, string>; hostDeadlineMs?: number; hostRequestId?: string } = {}) {
  const logger = recordingLogger();
  const sender = fakeSender();
  const host = fakeTaskHost({ handsOff: options.handsOff ?? true, ...(options.hostDeadlineMs === undefined ? {} : { deadlineMs: options.hostDeadlineMs }), ...(options.hostRequestId === undefined ? {} : { requestId: options.hostRequestId }) });
  const timers = manualTimers();
  let ids = 0;
  const api: TaskApi = createTaskApi({
    host: () => host.host, logger,
    env: { ...(options.queue === false ? {} : { AFTER_RESPONSE_TASK_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/tasks' }), ...options.env },
    sender: () => sender.sender, now: timers.now, newId: () => `id-${++ids}`, setTimer: timers.setTimer,
  });
  return { api, logger, sender, host, timers };
}
