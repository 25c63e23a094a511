// A local stand-in for Slack: builds signed slash-command requests as a Lambda Function URL
// delivers them (payload 2.0, body base64), and receives the follow-ups posted to response_url.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SIGNING_SECRET = 'rig-signing-secret-8f14e45fceea167a5a36dedd4bea2543';

export interface FollowUp {
  path: string;
  at: number; // performance.now() when the whole POST had arrived
  status: number; // what the stand-in answered
  body: unknown;
}

export interface SigningOptions {
  secret?: string; // default SIGNING_SECRET
  timestampS?: number; // default now (epoch seconds)
  base64?: boolean; // default true (Function URLs base64 a form body)
}

export interface CommandOptions extends SigningOptions {
  text: string;
  responseUrl: string;
}

/** The form Slack posts for a slash command, signed, as a Function URL event. */
export function commandEvent(o: CommandOptions): Record<string, unknown> {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token', team_id: 'T0001', team_domain: 'example', channel_id: 'C2147483705',
    channel_name: 'test', user_id: 'U2147483697', user_name: 'steve', command: '/lookup', text: o.text,
    api_app_id: 'A123456', response_url: o.responseUrl, trigger_id: '13345224609.738474920.8088930838d88f008e0',
  }).toString();
  return signedFormEvent(form, o);
}

/** A Function URL event (payload 2.0) carrying `form`, signed with Slack's documented v0 scheme. */
export function signedFormEvent(form: string, o: SigningOptions = {}): Record<string, unknown> {
  const ts = String(o.timestampS ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', o.secret ?? SIGNING_SECRET).update(`v0:${ts}:${form}`).digest('hex')}`;
  const base64 = o.base64 ?? true;
  return {
    version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': ts, 'x-slack-signature': signature, host: 'example.lambda-url.us-east-1.on.aws',
    },
    requestContext: {
      accountId: 'anonymous', apiId: 'example', domainName: 'example.lambda-url.us-east-1.on.aws', domainPrefix: 'example',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '3.4.5.6', userAgent: 'Slackbot 1.0' },
      requestId: 'rig', routeKey: '$default', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(),
    },
    body: base64 ? Buffer.from(form).toString('base64') : form,
    isBase64Encoded: base64,
  };
}

/** Loopback HTTP server recording every POST; answers 200 "ok" unless told otherwise. */
export class SlackStandIn {
  readonly followUps: FollowUp[] = [];
  private statuses: number[] = [];

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<SlackStandIn> {
    const self: { standIn?: SlackStandIn } = {}; // set once the server listens
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const status = self.standIn?.statuses.shift() ?? 200;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          // recorded as text
        }
        self.standIn?.followUps.push({ path: req.url ?? '', at, status, body });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'expired_url');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self.standIn = new SlackStandIn(server, (server.address() as AddressInfo).port);
    return self.standIn;
  }

  /** A fresh response_url on this stand-in. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/commands/${id}`;
  }

  /** The next POSTs get these statuses (e.g. 500: Slack refusing the follow-up), then 200. */
  answerNext(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  postsTo(url: string): FollowUp[] {
    const path = new URL(url).pathname;
    return this.followUps.filter((f) => f.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
