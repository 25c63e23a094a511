// A receipts service on loopback that answers after 300 ms, as a slow dependency does.
const { createServer } = require('node:http');

exports.startReceipts = async () => {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => setTimeout(() => {
      received.push(body);
      response.end('ok');
    }, 300));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/receipts`,
    received,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
};
