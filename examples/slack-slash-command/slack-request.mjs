// @ts-check
// Reads a Slack slash command out of a Lambda Function URL / API Gateway HTTP API (payload 2.0)
// event: the raw body, Slack's request signature, the form fields. Pure: no I/O, the clock is passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses replays older than this; we also refuse timestamps this far in the future. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

/**
 * @typedef {object} SlashCommand
 * @property {string} command      e.g. `/lookup`
 * @property {string} text         what the user typed after the command ('' when nothing)
 * @property {string} responseUrl  where follow-up messages go (valid for 30 minutes, 5 posts)
 * @property {string} userId
 * @property {string} channelId
 */

/**
 * @typedef {{ ok: true, command: SlashCommand } | { ok: true, sslCheck: true } | { ok: false, statusCode: 400 | 401, message: string }} ReadResult
 */

/**
 * @param {unknown} event  the Lambda event (Function URL / HTTP API payload 2.0)
 * @param {{ signingSecret: string, nowMs: number }} options  nowMs: epoch ms
 * @returns {ReadResult} never throws, whatever the event
 */
export function readSlashCommand(event, { signingSecret, nowMs }) {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return bad(400, `Expected an HTTP event object, got ${describe(event)}`);
  const e = /** @type {Record<string, unknown>} */ (event);
  const headers = typeof e.headers === 'object' && e.headers !== null ? /** @type {Record<string, unknown>} */ (e.headers) : {};
  const raw = rawBody(e.body, e.isBase64Encoded === true);
  if (typeof raw === 'string') return bad(400, raw);
  const verdict = verifySignature(raw, headers, { signingSecret, nowMs });
  if (verdict !== undefined) return bad(401, verdict);
  const type = header(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return bad(400, `Expected Content-Type application/x-www-form-urlencoded (a Slack slash command), got ${describe(type)}`);
  }
  return parseForm(raw.toString('utf8'));
}

/**
 * Checks `X-Slack-Signature` = `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`)
 * in constant time, and that `X-Slack-Request-Timestamp` (epoch seconds) is within 5 minutes of now.
 * Source: Slack, "Verifying requests from Slack" (api.slack.com/authentication/verifying-requests-from-slack).
 * @param {Buffer} raw  the body bytes exactly as Slack sent them
 * @param {Record<string, unknown>} headers
 * @param {{ signingSecret: string, nowMs: number }} options
 * @returns {string | undefined} why the request is refused, or undefined when it is authentic
 */
export function verifySignature(raw, headers, { signingSecret, nowMs }) {
  const timestamp = header(headers, 'x-slack-request-timestamp');
  const signature = header(headers, 'x-slack-signature');
  if (timestamp === undefined || signature === undefined) return 'Missing X-Slack-Signature or X-Slack-Request-Timestamp header';
  if (!/^\d{1,12}$/.test(timestamp)) return `Expected X-Slack-Request-Timestamp to be epoch seconds, got ${describe(timestamp)}`;
  const skewS = Math.abs(nowMs / 1000 - Number(timestamp));
  if (!(skewS <= MAX_CLOCK_SKEW_S)) return `Stale request: X-Slack-Request-Timestamp is ${Math.round(skewS)} s away from now (at most ${MAX_CLOCK_SKEW_S} s)`;
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(raw);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; the length of a valid signature is public anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Invalid X-Slack-Signature';
  return undefined;
}

/**
 * A header's value, matching the name case-insensitively (Function URLs send lower case,
 * other sources may not). Several values (joined by API Gateway with a comma) are kept as one.
 * @param {Record<string, unknown>} headers
 * @param {string} lowerName
 * @returns {string | undefined}
 */
export function header(headers, lowerName) {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === lowerName && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * @param {unknown} body
 * @param {boolean} base64
 * @returns {Buffer | string} the bytes, or why there are none
 */
function rawBody(body, base64) {
  if (body === undefined || body === null) return Buffer.alloc(0); // no body: refused below (unsigned, or no fields)
  if (typeof body !== 'string') return `Expected the body to be a string, got ${describe(body)}`;
  if (!base64) return Buffer.from(body, 'utf8');
  // Buffer's decoder skips what is not base64; a body that is not base64 must be refused instead.
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return 'Expected the body to be base64 (isBase64Encoded is true), but it is not';
  return Buffer.from(body, 'base64');
}

/**
 * @param {string} form
 * @returns {ReadResult}
 */
function parseForm(form) {
  const fields = new URLSearchParams(form);
  if (fields.has('ssl_check')) return { ok: true, sslCheck: true };
  const command = fields.get('command');
  const responseUrl = fields.get('response_url');
  if (command === null || !command.startsWith('/')) return bad(400, `Expected a \`command\` field starting with "/", got ${describe(command)}`);
  if (responseUrl === null || !isHttpUrl(responseUrl)) return bad(400, `Expected a \`response_url\` field holding an https URL, got ${describe(responseUrl)}`);
  return {
    ok: true,
    command: { command, text: fields.get('text') ?? '', responseUrl, userId: fields.get('user_id') ?? '', channelId: fields.get('channel_id') ?? '' },
  };
}

/** Slack's response URLs are https; plain http is accepted for a local stand-in. @param {string} value */
function isHttpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * @param {400 | 401} statusCode
 * @param {string} message
 * @returns {ReadResult}
 */
function bad(statusCode, message) {
  return { ok: false, statusCode, message };
}

/** A short, safe rendering of a value for an error message. @param {unknown} value */
function describe(value) {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value !== 'string') return `\`${String(value)}\` (${typeof value})`;
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}
