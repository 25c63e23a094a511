// Work arriving through one of the function's HTTP servers belongs to the invoke in progress —
// also for a server created lazily inside invoke 1, whose connections inherit invoke 1's async
// context — while a released invoke's own timer still runs unheld under its id.
import * as channels from 'node:diagnostics_channel';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../shared/host-protocol.ts';
import { createGuard } from '../../extension/runtime-hooks/guard.ts';
import type { Lifecycle } from '../../extension/core/lifecycle.ts';
import { installRequestContexts, REQUEST_CONTEXT_SYMBOLS, type RequestContextValue } from '../../extension/runtime-hooks/request-context.ts';
import { attributeServerRequests } from '../../extension/runtime-hooks/server-requests.ts';
import { flush, recordingLogger, runtimeInvoke, trackerSetup } from './fakes.ts';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

type Route = (tracker: Lifecycle, next: { get(): RequestContextValue | undefined }) => Promise<void> | void;

/** A lifecycle with the extension's request attribution and a Next-style request context on a private global. */
function setup(mode: 'held' | 'unheld' = 'held') {
  const rig = trackerSetup({ graceMs: 100 }, mode);
  const logger = recordingLogger();
  cleanups.push(attributeServerRequests(channels, () => rig.tracker.serverRequest(), createGuard(logger)));
  const global = {};
  installRequestContexts({ kinds: ['next'], global, current: () => rig.tracker.scopedInvoke(), marginMs: 500, logger, guard: createGuard(logger) });
  const next = Reflect.get(global, REQUEST_CONTEXT_SYMBOLS.next) as { get(): RequestContextValue | undefined };
  let server: Server | undefined;
  /** `server ??= createServer(app).listen()` from wherever it is called (inside an invoke: lazily). */
  const serve = async (route: Route): Promise<number> => {
    if (!server) {
      const created = createServer((_request, response) => void Promise.resolve(route(rig.tracker, next)).then(() => response.end('ok')));
      created.keepAliveTimeout = 60_000;
      server = created.listen(0, '127.0.0.1');
      cleanups.push(() => void created.close());
      await new Promise((resolve) => created.once('listening', resolve));
    }
    return (server.address() as AddressInfo).port;
  };
  return { ...rig, serve, next };
}

const request = (port: number): Promise<void> => new Promise((resolve, reject) => get({ port, host: '127.0.0.1' }, (response) => response.resume().on('end', resolve)).on('error', reject));

/** The route of the lazily created server: Next-style after() through the request context, and an enqueue. */
const afterAndEnqueue = (ran: string[]): Route => (tracker, next) => {
  const context = next.get();
  ran.push(`get() in ${context === undefined ? 'no invoke' : 'an invoke'}`);
  context?.waitUntil(new Promise((resolve) => setTimeout(resolve, 20)).then(() => void ran.push('after() done')));
  tracker.enqueue(async ({ requestId }: JobContext) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ran.push(`job of ${requestId} done`);
  }, 'route job');
};

describe('a server created lazily inside invoke 1', () => {
  it("holds invoke 2's and 3's after() and enqueued jobs under their own request ids", async () => {
    const { tracker, deadline, serve, logger } = setup();
    const ran: string[] = [];
    const route = afterAndEnqueue(ran);
    for (const [i, requestId] of ['r1', 'r2', 'r3'].entries()) {
      const released = tracker.hold({ requestId, deadlineMs: deadline + i }).then(() => void ran.push(`${requestId} released`));
      await runtimeInvoke(tracker, requestId, deadline + i, async () => {
        await request(await serve(route));
        tracker.responsePosted(requestId, 'returned');
      });
      await released;
    }
    const perInvoke = ['get() in an invoke', 'after() done', 'job of $ done', '$ released'];
    expect(ran).toEqual(['r1', 'r2', 'r3'].flatMap((id) => perInvoke.map((step) => step.replace('$', id))));
    expect(logger.records.filter((r) => r.level === 'WARN')).toEqual([]);
  });

  it("a timer invoke 1's handler set still runs unheld under invoke 1's id, and does not hold invoke 2", async () => {
    const { tracker, deadline, serve, logger } = setup();
    const ran: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      await request(await serve(() => undefined));
      setTimeout(() => tracker.enqueue(async ({ requestId }: JobContext) => void ran.push(`timer job of ${requestId}`), 'timer-job'), 30);
      tracker.responsePosted('r1', 'returned');
    });
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    const released = tracker.hold({ requestId: 'r2', deadlineMs: deadline + 1 }).then(() => void ran.push('r2 released'));
    await runtimeInvoke(tracker, 'r2', deadline + 1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      tracker.responsePosted('r2', 'returned');
    });
    await released;
    expect(ran).toEqual(['timer job of r1', 'r2 released']);
    expect(logger.records.filter((r) => r.level === 'WARN').map((r) => [r.requestId, r.job])).toEqual([['r1', 'timer-job']]);
  });

  it('a request arriving between invokes is context-less: its job joins the next invoke', async () => {
    const { tracker, deadline, serve } = setup();
    const ran: string[] = [];
    const route: Route = (t) => t.enqueue(async ({ requestId }: JobContext) => void ran.push(`job of ${requestId}`), 'between');
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      await serve(route);
      tracker.responsePosted('r1', 'returned');
    });
    await tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await request(await serve(route));
    expect(ran).toEqual([]);
    await runtimeInvoke(tracker, 'r2', deadline + 1, () => tracker.responsePosted('r2', 'returned'));
    await tracker.hold({ requestId: 'r2', deadlineMs: deadline + 1 });
    expect(ran).toEqual(['job of r2']);
  });

  it('on Managed Instances (several invokes at once) a request is context-less, not the creating invoke\'s', async () => {
    const { tracker, deadline, serve } = setup('unheld');
    const ran: string[] = [];
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      await request(await serve(afterAndEnqueue(ran)));
      tracker.responsePosted('r1', 'returned');
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ran).toEqual(['get() in no invoke', 'job of - done']);
  });
});

describe('drainAfterResponse() from a route of a server started at init, during an invoke', () => {
  it("starts that invoke's queued jobs and resolves before its response: no deadlock until the margin", async () => {
    const { tracker, deadline, serve, timers } = setup();
    const order: string[] = [];
    const port = await serve(async (t) => {
      await t.drain();
      order.push('route drained');
    });
    const released = tracker.hold({ requestId: 'r1', deadlineMs: deadline });
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      tracker.enqueue(async () => void order.push('queued job'), 'queued');
      await request(port);
      order.push('response');
      tracker.responsePosted('r1', 'returned');
    });
    await flush();
    timers.advance(0);
    expect(order).toEqual(['queued job', 'route drained', 'response']);
    await expect(released).resolves.toBe('settled');
  });

  it('from a timer set at init that fires during the invoke: the same', async () => {
    const { tracker, deadline } = setup();
    const order: string[] = [];
    setTimeout(() => void tracker.drain().then(() => order.push('timer drained')), 20);
    await runtimeInvoke(tracker, 'r1', deadline, async () => {
      tracker.enqueue(async () => void order.push('queued job'), 'queued');
      await new Promise((resolve) => setTimeout(resolve, 40));
      order.push('response');
      tracker.responsePosted('r1', 'returned');
    });
    expect(order).toEqual(['queued job', 'timer drained', 'response']);
  });
});
