const { afterAll, beforeAll, expect, test } = require('@jest/globals');
const { invokeHandler } = require('lambda-after-response/testing');
const { broken, fixed } = require('../../handler.cjs');
const { startReceipts } = require('../receipts-server.cjs');

let service;
beforeAll(async () => (service = await startReceipts()));
afterAll(() => service.close());

test('broken (jest, CommonJS): the receipt POST is left frozen, named at handler.cjs', async () => {
  const result = await invokeHandler(broken, { body: '{"order":7}' }, { env: { RECEIPTS_URL: service.url } });
  expect(result.frozen).toContainEqual({ type: 'FETCH', stack: expect.stringContaining('handler.cjs') });
});

test('fixed (jest, CommonJS): a succeeded job, nothing frozen', async () => {
  const result = await invokeHandler(fixed, { body: '{"order":8}' }, { env: { RECEIPTS_URL: service.url } });
  expect(result.frozen).toEqual([]);
  expect(result.jobs).toEqual([expect.objectContaining({ name: 'post-receipt', kind: 'job', outcome: 'succeeded' })]);
});
