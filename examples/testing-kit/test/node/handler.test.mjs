import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { invokeHandler } from 'lambda-after-response/testing';
import { broken, fixed } from '../../handler.mjs';
import receipts from '../receipts-server.cjs';

let service;
before(async () => (service = await receipts.startReceipts()));
after(() => service.close());

test('broken: the receipt POST is left frozen, and the report names handler.mjs', async () => {
  const result = await invokeHandler(broken, { body: '{"order":7}' }, { env: { RECEIPTS_URL: service.url } });
  assert.deepEqual(result.response, { statusCode: 202, body: 'ordered' });
  const post = result.frozen.find((work) => work.type === 'FETCH');
  assert.ok(post, `no FETCH in ${JSON.stringify(result.frozen)}`);
  assert.match(post.stack, /handler\.mjs/);
});

test('fixed: the POST is a job that succeeds after the response, nothing frozen', async () => {
  const result = await invokeHandler(fixed, { body: '{"order":8}' }, { env: { RECEIPTS_URL: service.url } });
  assert.deepEqual(result.frozen, []);
  assert.deepEqual(result.jobs.map(({ name, outcome }) => ({ name, outcome })), [{ name: 'post-receipt', outcome: 'succeeded' }]);
  assert.ok(result.releasedMs > result.responseMs);
  assert.ok(service.received.includes('{"order":8}'));
});
