import { enqueueAfterResponse } from 'lambda-after-response';

/** Answers at once and posts the receipt... without awaiting it: on Lambda the POST freezes with the environment. */
export const broken = async (event) => {
  const order = JSON.parse(event.body);
  void fetch(process.env.RECEIPTS_URL, { method: 'POST', body: JSON.stringify(order) });
  return { statusCode: 202, body: 'ordered' };
};

/**
 * The fix: the POST is a job, held after the response until it is done. `fetch` resolves at the
 * response's headers: read the body too, or its socket is still busy when the job has settled.
 */
export const fixed = async (event) => {
  const order = JSON.parse(event.body);
  enqueueAfterResponse(async ({ signal }) => {
    const response = await fetch(process.env.RECEIPTS_URL, { method: 'POST', body: JSON.stringify(order), signal });
    await response.text();
    if (!response.ok) throw new Error(`receipts answered ${response.status}`);
  }, { name: 'post-receipt' });
  return { statusCode: 202, body: 'ordered' };
};
