// One fresh Node process of bench/sqs-sender.ts: loads one SQS sender, sends, and prints its
// figures as JSON. Configured through the env as a function would be (AWS_ENDPOINT_URL_SQS,
// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) plus PROBE_* settings.
// Node's builtins come through process.getBuiltinModule: the probe's own imports would add to
// the figures of every variant.
const env = process.env;
// What the runtime client loads before the first invoke anyway (bench/runtime-builtins.ts): not the sender's cost.
for (const m of JSON.parse(env.PROBE_BUILTINS ?? '[]')) process.getBuiltinModule(m);
const { PROBE_VARIANT: variant, PROBE_QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_SQS: endpoint } = env;
const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
const warmSends = Number(env.PROBE_WARM_SENDS ?? 200);
const batches = Number(env.PROBE_BATCHES ?? 30);
const mb = (bytes) => bytes / 1024 / 1024;
const entries = (n, tag) => Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: `${tag}-${i}` }));

/** The SDK client the runtime ships (/var/runtime/node_modules): endpoint, region and keys from the env. */
async function sdk() {
  const { SQSClient, SendMessageCommand, SendMessageBatchCommand } = await import(env.PROBE_SDK_URL);
  return () => {
    const client = new SQSClient({});
    return {
      send: (body) => client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
      batch: (tag) => client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(10, tag) })),
    };
  };
}

/** SendMessage and SendMessageBatch in the AWS JSON 1.0 protocol over `post(target, body)` -> { status, text }. */
function jsonSender(post) {
  const call = async (action, payload) => {
    const { status, text } = await post(`AmazonSQS.${action}`, JSON.stringify(payload));
    if (status !== 200) throw new Error(`${action}: HTTP ${status} ${text}`);
    return JSON.parse(text);
  };
  return {
    send: (body) => call('SendMessage', { QueueUrl: queueUrl, MessageBody: body }),
    batch: (tag) => call('SendMessageBatch', { QueueUrl: queueUrl, Entries: entries(10, tag) }),
  };
}

const jsonHeaders = (target) => ({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target });

function httpPost(request, agent, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject).end(body);
  });
}

/** aws4fetch signs (SigV4 with WebCrypto); the request goes out with global fetch or node:http. */
async function aws4fetch(transport) {
  const { AwsClient } = await import('aws4fetch'); // the repository's devDependency, beside this file
  const { Agent, request } = process.getBuiltinModule('node:http');
  return () => {
    const aws = new AwsClient({ ...credentials, service: 'sqs', region: env.AWS_REGION });
    const agent = new Agent({ keepAlive: true });
    return jsonSender(async (target, body) => {
      const init = { method: 'POST', headers: jsonHeaders(target), body };
      if (transport === 'fetch') {
        const res = await aws.fetch(endpoint, init);
        return { status: res.status, text: await res.text() };
      }
      const signed = await aws.sign(endpoint, init);
      return httpPost(request, agent, Object.fromEntries(signed.headers), body);
    });
  };
}

/** aws4 signs (SigV4 with node:crypto, synchronous); the request goes out with node:http. */
async function aws4() {
  const { default: signer } = await import('aws4');
  const { Agent, request } = process.getBuiltinModule('node:http');
  return () => {
    const agent = new Agent({ keepAlive: true });
    const host = new URL(endpoint).host;
    return jsonSender(async (target, body) => {
      const signed = signer.sign({ host, path: '/', method: 'POST', service: 'sqs', region: env.AWS_REGION, headers: jsonHeaders(target), body }, credentials);
      return httpPost(request, agent, signed.headers, body);
    });
  };
}

const loaders = { sdk, 'aws4fetch+fetch': () => aws4fetch('fetch'), 'aws4fetch+node:http': () => aws4fetch('http'), 'aws4+node:http': aws4 };

/** Wall ms of `fn`; its CPU ms (user + system, this process) go to cpu[key] when given. */
async function timed(fn, cpu, key) {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await fn();
  const ms = performance.now() - start;
  if (cpu) {
    const used = process.cpuUsage(startCpu);
    cpu[key] = (used.user + used.system) / 1000;
  }
  return ms;
}

const rssStart = process.memoryUsage().rss;
const out = { variant, rssStartMb: mb(rssStart), cpuMs: {} };
if (variant !== 'none') {
  let make;
  out.importMs = await timed(async () => (make = await loaders[variant]()), out.cpuMs, 'import');
  out.importRssMb = mb(process.memoryUsage().rss - rssStart);
  let sender;
  out.firstSendMs = await timed(async () => {
    sender = make();
    await sender.send('cold');
  }, out.cpuMs, 'firstSend');
  out.warmSendMs = [];
  const warmCpu = {};
  await timed(async () => {
    for (let i = 0; i < warmSends; i++) out.warmSendMs.push(await timed(() => sender.send(`warm-${i}`)));
  }, warmCpu, 'all');
  out.cpuMs.warmSend = warmCpu.all / warmSends;
  out.batchMs = [];
  for (let i = 0; i < batches; i++) out.batchMs.push(await timed(() => sender.batch(`batch-${i}`)));
  out.rssEndMb = mb(process.memoryUsage().rss);
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
