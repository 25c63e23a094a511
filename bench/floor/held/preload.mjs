// The floor that holds jobs (bench/floor-held.ts): the floor's preload (../preload.mjs) plus the
// least a layer can do to hold the environment for jobs: `enqueueAfterResponse(job)` (./package)
// starts the job at once and keeps its promise; once the runtime has called `next` after an
// invoke (its handler is done), the extension waits for every kept promise to settle
// (`Promise.allSettled`) before its own `next`, which lets the environment freeze. No deadline, no
// attribution, no context capture, no reports: a measure of what holding ten jobs costs at least.
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const held = (globalThis[Symbol.for('bench-floor-held')] = { pending: [] });
if (api && process.env.BENCH_FLOOR_EXTENSION !== 'loaded') {
  process.env.BENCH_FLOOR_EXTENSION = 'loaded';
  let open;
  const registered = new Promise((resolve) => (open = resolve));
  setTimeout(open, 3000).unref();
  let runtimeNexts = 0; // the runtime's `next` calls: the first at init, then one as each invoke's handler is done
  let waiter;
  const { dlopen } = process;
  process.dlopen = function (module, filename, ...rest) {
    const result = dlopen.call(this, module, filename, ...rest);
    const next = module.exports?.next;
    if (typeof next === 'function' && String(filename).endsWith('rapid-client.node')) {
      module.exports.next = function (...args) {
        runtimeNexts++;
        if (waiter && runtimeNexts >= waiter.count) waiter = void waiter.resolve();
        return registered.then(() => next.apply(this, args));
      };
    }
    return result;
  };
  const colon = api.lastIndexOf(':');
  const socket = process.getBuiltinModule('node:net').connect(Number(api.slice(colon + 1)), api.slice(0, colon));
  socket.on('error', () => socket.destroy());
  socket.on('close', open);
  let id = '';
  let data = '';
  let invokes = 0;
  const request = (line, headers, body = '') => socket.write(`${line} HTTP/1.1\r\nhost: ${api}\r\n${headers}\r\n${body}`);
  const poll = () => request('GET /2020-01-01/extension/event/next', `lambda-extension-identifier: ${id}\r\n`);
  /** Invoke n is done once the runtime called `next` n + 1 times and its jobs settled. */
  const release = async (n) => {
    if (runtimeNexts < n + 1) await new Promise((resolve) => (waiter = { count: n + 1, resolve }));
    await Promise.allSettled(held.pending.splice(0));
    poll();
  };
  request('POST /2020-01-01/extension/register', 'lambda-extension-name: bench-floor\r\ncontent-length: 21\r\n', '{"events":["INVOKE"]}');
  socket.on('data', (chunk) => {
    data += chunk.toString('latin1');
    const head = data.indexOf('\r\n\r\n');
    if (head === -1) return;
    const headers = data.slice(0, head).toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(headers);
    const end = length ? head + 4 + Number(length[1]) : data.indexOf('\r\n0\r\n\r\n', head + 2) + 7;
    if (end < head + 4 || data.length < end) return;
    open();
    socket.unref();
    const registering = id === '';
    id ||= /\r\nlambda-extension-identifier: *([^\r]+)/i.exec(data.slice(0, head))?.[1] ?? '';
    if (!headers.startsWith('http/1.1 200') || id === '') return void socket.destroy();
    data = data.slice(end);
    if (registering) poll();
    else void release(++invokes);
  });
}
