import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Readable } from 'node:stream';
import { batchResponseWrites } from './write-batching.js';

function appWithBatching() {
  const app = Fastify();
  batchResponseWrites(app);
  return app;
}

describe('batchResponseWrites', () => {
  test('an answer ready in this turn is written at its end, not at once', async () => {
    const app = appWithBatching();
    let sentBeforeTurnEnded: boolean | null = null;
    app.get('/x', (_req, reply) => {
      // Runs after the handler returned and Fastify started sending, but before the turn's immediates.
      process.nextTick(() => (sentBeforeTurnEnded = reply.raw.headersSent));
      return { ok: true };
    });
    const res = await app.inject('/x');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ok: true });
    assert.equal(sentBeforeTurnEnded, false);
    await app.close();
  });

  test('answers of one turn all go out, each with its own payload, status and headers', async () => {
    const app = appWithBatching();
    app.get('/n/:n', (req, reply) => {
      const n = Number((req.params as { n: string }).n);
      if (n % 3 === 0) return reply.code(404).send({ missing: n });
      reply.header('x-n', String(n));
      return { n };
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => app.inject(`/n/${n}`)));
    answers.forEach((res, n) => {
      if (n % 3 === 0) {
        assert.equal(res.statusCode, 404);
        assert.deepEqual(res.json(), { missing: n });
      } else {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['x-n'], String(n));
        assert.deepEqual(res.json(), { n });
      }
    });
    await app.close();
  });

  test('streamed and buffer payloads and errors pass through unchanged', async () => {
    const app = appWithBatching();
    app.get('/stream', (_req, reply) => reply.type('text/plain').send(Readable.from(['a', 'b', 'c'])));
    app.get('/buffer', (_req, reply) => reply.type('application/octet-stream').send(Buffer.from([1, 2, 3])));
    app.get('/error', () => {
      throw new Error('boom');
    });
    assert.equal((await app.inject('/stream')).body, 'abc');
    assert.deepEqual([...(await app.inject('/buffer')).rawPayload], [1, 2, 3]);
    assert.equal((await app.inject('/error')).statusCode, 500);
    await app.close();
  });
});
