// The machine's limit for "an HTTP answer from Node": a bare node:http server answering every request with the
// same small JSON body. Plain JS so nothing (tsx, TypeBox, Fastify) stands between the socket and the answer.
// `/bytes/N` answers a prepared JSON body of N bytes instead: the floor for endpoints whose answers are large.
// With WORK_US, every request first spends that many microseconds of CPU in a busy loop (bench/work-floor.ts).
// Usage: node bench/baseline-server.mjs PORT [WORK_US]   (prints "listening <port>" once bound to 127.0.0.1)
import { createServer } from 'node:http';

const workNs = BigInt(Math.round(Number(process.argv[3] ?? 0) * 1000));
const small = Buffer.from(JSON.stringify({ contains_content_items: true }));
const sized = new Map();
/** @param {string | undefined} url */
function bodyFor(url) {
  const m = /^\/bytes\/(\d{1,9})$/.exec(url ?? '');
  if (!m) return small;
  const n = Math.max(Number(m[1]), 10);
  let b = sized.get(n);
  if (!b) sized.set(n, (b = Buffer.from(`{"pad":"${'x'.repeat(n - 10)}"}`)));
  return b;
}

const server = createServer((req, res) => {
  const body = bodyFor(req.url);
  // Drain any request body before answering, as a real endpoint would have to.
  req.resume();
  req.on('end', () => {
    if (workNs > 0n) {
      const until = process.hrtime.bigint() + workNs;
      while (process.hrtime.bigint() < until);
    }
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
