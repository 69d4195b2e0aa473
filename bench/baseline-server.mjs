// The machine's limit for "an HTTP answer from Node": a bare node:http server answering every request with the
// same small JSON body. Plain JS so nothing (tsx, TypeBox, Fastify) stands between the socket and the answer.
// Usage: node bench/baseline-server.mjs PORT   (prints "listening <port>" once bound to 127.0.0.1)
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ contains_content_items: true }));
const server = createServer((req, res) => {
  // Drain any request body before answering, as a real endpoint would have to.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
