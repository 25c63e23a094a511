import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueAfterResponse } from '../../client/index.ts';
import { invokeHandler } from '../../extension/testing/index.ts';

const THIS_FILE = 'test/unit/testing-keep-alive.test.ts';

/**
 * A request riding a kept-alive socket opened earlier (by an earlier test, or an earlier warm
 * invoke): no async resource of the invoke carries it, and the report must not depend on that.
 */
describe('invokeHandler: requests on kept-alive connections', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // `/slow`: answers after 500 ms. `/trickle`: headers at once, the body 500 ms later.
    server = createServer((request, response) => {
      if (request.url === '/trickle') {
        response.flushHeaders();
        setTimeout(() => response.end('body'), 500);
      } else setTimeout(() => response.end('late'), request.url === '/slow' ? 500 : 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fixed = async () => {
    enqueueAfterResponse(async () => void (await (await fetch(`${base}/fast`)).text()), { name: 'post' });
    return 'ok';
  };
  const broken = async () => {
    void fetch(`${base}/slow`).then((response) => response.text());
    return 'ok';
  };

  test('the fixed handler, then the broken one twice: each broken call reports its fetch, with the stack of this file', async () => {
    const first = await invokeHandler(fixed, {});
    expect(first.frozen).toEqual([]);
    for (const call of [1, 2]) {
      const result = await invokeHandler(broken, {});
      expect(result.frozen.map((work) => work.type), `call ${call}`).toEqual(['FETCH']);
      expect(result.frozen[0]?.stack).toContain(THIS_FILE);
      // The earlier call's request settles while this one runs: wait for it so the next call reuses the socket.
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
  });

  test('a body not read on a warm call, its bytes still coming, is reported; once the body is all here, nothing is', async () => {
    await invokeHandler(fixed, {});
    const unread = async () => {
      await fetch(`${base}/trickle`);
      return 'ok';
    };
    const result = await invokeHandler(unread, {});
    expect(result.frozen.map((work) => work.type)).toEqual(['FETCH']);
    expect(result.frozen[0]?.stack).toContain(THIS_FILE);
    const read = async () => void (await (await fetch(`${base}/trickle`)).text());
    expect((await invokeHandler(read, {})).frozen).toEqual([]);
  });

  test('a node:http request in flight is reported once, as the request, not its socket', async () => {
    const viaHttp = async () => {
      httpRequest(`${base}/slow`, (response) => response.resume()).on('error', () => undefined).end();
      return 'ok';
    };
    const result = await invokeHandler(viaHttp, {});
    expect(result.frozen.map((work) => work.type)).toEqual(['HTTPCLIENTREQUEST']);
    expect(result.frozen[0]?.stack).toContain(THIS_FILE);
    // It starts with a frame, not with a section header that has no section above it.
    expect(result.frozen[0]?.stack).toMatch(/^\s+at /);
    const answered = async () => {
      await new Promise((resolve) => httpRequest(`${base}/fast`, (response) => response.resume().on('end', resolve)).end());
      return 'ok';
    };
    expect((await invokeHandler(answered, {})).frozen).toEqual([]);
  });

  test('a node:http request on a socket the agent reuses (kept alive by an earlier request) is reported once too', async () => {
    // Node's agent announces a reused socket as a TCPWRAP resource of its own (a ReusedHandle holding the socket's handle).
    await new Promise((resolve) => httpRequest(`${base}/fast`, (response) => response.resume().on('end', resolve)).end());
    const viaHttp = async () => {
      httpRequest(`${base}/slow`, (response) => response.resume()).on('error', () => undefined).end();
      return 'ok';
    };
    for (let call = 0; call < 2; call += 1) {
      const result = await invokeHandler(viaHttp, {});
      expect(result.frozen.map((work) => work.type)).toEqual(['HTTPCLIENTREQUEST']);
      await new Promise((resolve) => setTimeout(resolve, 600)); // the request answered: its socket is free again
    }
  });
});
