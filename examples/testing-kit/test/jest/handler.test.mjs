import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { invokeHandler } from 'lambda-after-response/testing';
import { broken, fixed } from '../../handler.mjs';
import receipts from '../receipts-server.cjs';

let service;
beforeAll(async () => (service = await receipts.startReceipts()));
afterAll(() => service.close());

test('broken (jest, ESM): the receipt POST is left frozen, named at handler.mjs', async () => {
  const result = await invokeHandler(broken, { body: '{"order":7}' }, { env: { RECEIPTS_URL: service.url } });
  expect(result.frozen).toContainEqual({ type: 'FETCH', stack: expect.stringContaining('handler.mjs') });
});

test('fixed (jest, ESM): a succeeded job, nothing frozen', async () => {
  const result = await invokeHandler(fixed, { body: '{"order":8}' }, { env: { RECEIPTS_URL: service.url } });
  expect(result.frozen).toEqual([]);
  expect(result.jobs).toEqual([expect.objectContaining({ name: 'post-receipt', kind: 'job', outcome: 'succeeded' })]);
});
