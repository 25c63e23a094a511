const { enqueueAfterResponse } = require('lambda-after-response');

/** The CommonJS twin of handler.mjs. */
exports.broken = async (event) => {
  const order = JSON.parse(event.body);
  void fetch(process.env.RECEIPTS_URL, { method: 'POST', body: JSON.stringify(order) });
  return { statusCode: 202, body: 'ordered' };
};

exports.fixed = async (event) => {
  const order = JSON.parse(event.body);
  enqueueAfterResponse(async ({ signal }) => {
    const response = await fetch(process.env.RECEIPTS_URL, { method: 'POST', body: JSON.stringify(order), signal });
    await response.text();
    if (!response.ok) throw new Error(`receipts answered ${response.status}`);
  }, { name: 'post-receipt' });
  return { statusCode: 202, body: 'ordered' };
};
