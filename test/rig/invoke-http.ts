// POSTs one invoke to RIE's emulator endpoint with undici (the design card's HTTP client),
// bounded by timeoutMs; no keep-alive, since RIE resets between some invokes.
import { request } from 'undici';

export async function postInvoke(port: number, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const response = await request(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', connection: 'close' },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.statusCode, body: await response.body.text() };
}
