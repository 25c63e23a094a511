// The floor (bench/floor-layer.ts): the least an internal extension that holds the environment
// does. Registers for INVOKE and long-polls `next` over one kept-alive socket with raw `node:net`;
// any answer but 200 (a 403 at registration on Managed Instances, a 500 from `next`: "exit") ends
// it quietly. No jobs, no logging. The one hook is the gate an internal extension needs: it must
// register before the runtime's first `next` (without the gate it lost that race on nodejs24.x
// in the rig), so the runtime's native `next` (rapid-client.node, loaded through process.dlopen)
// waits for the register answer, 3 s at most. No imports: an ESM import of a builtin costs more
// than process.getBuiltinModule.
const api = process.env.AWS_LAMBDA_RUNTIME_API;
// Set only by the held floor (bench/floor/held/hold.mjs, which imports this file): told of the
// runtime's `next` calls, it decides when each invoke's `next` is sent. The floor has none.
const hold = globalThis[Symbol.for('bench-floor-held')];
// Child processes and worker threads inherit NODE_OPTIONS and the environment: register once.
if (api && process.env.BENCH_FLOOR_EXTENSION !== 'loaded') {
  process.env.BENCH_FLOOR_EXTENSION = 'loaded';
  let open;
  const registered = new Promise((resolve) => (open = resolve));
  setTimeout(open, 3000).unref();
  const { dlopen } = process;
  process.dlopen = function (module, filename, ...rest) {
    const result = dlopen.call(this, module, filename, ...rest);
    const next = module.exports?.next;
    if (typeof next === 'function' && String(filename).endsWith('rapid-client.node')) {
      module.exports.next = function (...args) {
        hold?.runtimeNext();
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
  const request = (line, headers, body = '') => socket.write(`${line} HTTP/1.1\r\nhost: ${api}\r\n${headers}\r\n${body}`);
  const poll = () => request('GET /2020-01-01/extension/event/next', `lambda-extension-identifier: ${id}\r\n`);
  request('POST /2020-01-01/extension/register', 'lambda-extension-name: bench-floor\r\ncontent-length: 21\r\n', '{"events":["INVOKE"]}');
  socket.on('data', (chunk) => {
    data += chunk.toString('latin1'); // cheaper than setEncoding (its StringDecoder): −0.5 M instructions
    const head = data.indexOf('\r\n\r\n');
    if (head === -1) return;
    const headers = data.slice(0, head).toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(headers);
    // One response at a time: its body ends at its content-length, or at the last chunk.
    const end = length ? head + 4 + Number(length[1]) : data.indexOf('\r\n0\r\n\r\n', head + 2) + 7;
    if (end < head + 4 || data.length < end) return;
    open();
    socket.unref(); // ref'd while registering (the runtime's first `next` waits for it), never after
    const registering = id === '';
    id ||= /\r\nlambda-extension-identifier: *([^\r]+)/i.exec(data.slice(0, head))?.[1] ?? '';
    if (!headers.startsWith('http/1.1 200') || id === '') return void socket.destroy();
    data = data.slice(end);
    if (hold && !registering) hold.release(poll);
    else poll();
  });
}
