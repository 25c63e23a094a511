// POSTs one invoke to RIE's emulator endpoint with undici (the design card's HTTP client),
// bounded by timeoutMs; no keep-alive, since RIE resets between some invokes.
import { request } from 'undici';

export async function postInvoke(
  port: number,
  body: string,
  timeoutMs: number,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const response = await request(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', connection: 'close', ...extraHeaders },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers)) if (typeof v === 'string') headers[k] = v;
  return { status: response.statusCode, body: await response.body.text(), headers };
}
