const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const { invokeHandler } = require('lambda-after-response/testing');
const { broken, fixed } = require('../../handler.cjs');
const { startReceipts } = require('../receipts-server.cjs');

let service;
before(async () => (service = await startReceipts()));
after(() => service.close());

test('broken (CommonJS): the receipt POST is left frozen, and the report names handler.cjs', async () => {
  const result = await invokeHandler(broken, { body: '{"order":7}' }, { env: { RECEIPTS_URL: service.url } });
  const post = result.frozen.find((work) => work.type === 'FETCH');
  assert.ok(post, `no FETCH in ${JSON.stringify(result.frozen)}`);
  assert.match(post.stack, /handler\.cjs/);
});

test('fixed (CommonJS): a succeeded job, nothing frozen', async () => {
  const result = await invokeHandler(fixed, { body: '{"order":8}' }, { env: { RECEIPTS_URL: service.url } });
  assert.deepEqual(result.frozen, []);
  assert.deepEqual(result.jobs.map(({ name, outcome }) => ({ name, outcome })), [{ name: 'post-receipt', outcome: 'succeeded' }]);
});
