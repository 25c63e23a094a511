// A Lambda handler in front of Next's standalone server (`output: 'standalone'`), in the same
// process: Next's request handler listens on a loopback port from init, and each Function URL /
// API Gateway HTTP API (payload 2.0) event is forwarded to it. With the lambda-after-response
// layer, Next finds the invoke's request context and `after()` is held after the response.
// Put this file at the root of `.next/standalone` (next to server.js); in a monorepo, where
// server.js sits deeper, set NEXT_STANDALONE_APP_DIR to its dir relative to this file.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = join(import.meta.dirname, process.env.NEXT_STANDALONE_APP_DIR ?? '.');
const { config } = JSON.parse(readFileSync(join(dir, '.next/required-server-files.json'), 'utf8'));
process.env.NODE_ENV = 'production';
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config); // what server.js sets
const next = createRequire(join(dir, 'server.js'))('next');
const app = next({ dir, dev: false, conf: config, hostname: '127.0.0.1', port: 0 });
const handle = app.getRequestHandler();
await app.prepare();
const server = createServer((req, res) => handle(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
// fetch() decodes gzip/br bodies and owns the connection: their headers would now be wrong.
const DROPPED = new Set(['set-cookie', 'content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export const handler = async (event, context) => {
  const method = event.requestContext.http.method;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const headers = { ...event.headers, 'x-lambda-request-id': context.awsRequestId };
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const hasBody = event.body !== undefined && method !== 'GET' && method !== 'HEAD';
  const response = await fetch(`${origin}${event.rawPath}${query}`, {
    method, headers, redirect: 'manual',
    body: hasBody ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined,
  });
  const body = Buffer.from(await response.arrayBuffer());
  const responseHeaders = Object.fromEntries([...response.headers].filter(([name]) => !DROPPED.has(name)));
  return { statusCode: response.status, headers: responseHeaders, cookies: response.headers.getSetCookie(), body: body.toString('base64'), isBase64Encoded: true };
};
