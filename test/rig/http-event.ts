// Events of the HTTP front doors a web framework's Lambda adapter takes.

/** An API Gateway HTTP API (payload 2.0) / Function URL event. */
export function httpEvent(method: string, path: string, body: unknown): Record<string, unknown> {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', cookies: [],
    headers: { host: 'function.test', 'content-type': 'application/json' },
    body: JSON.stringify(body), isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012', apiId: 'fn', domainName: 'function.test', domainPrefix: 'function', requestId: 'apigw-id',
      routeKey: '$default', stage: '$default', time: '30/Nov/2026:00:00:00 +0000', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'rig' },
    },
  };
}
