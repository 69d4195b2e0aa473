/**
 * `req.log` is built on first use: a request that logs nothing makes no pino child, and one that logs gets the
 * child Fastify would have made (same bindings, so the request id; same options).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { LazyRequestLogger } from './request-logger.js';

function capture(level = 'info'): { logger: FastifyBaseLogger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level, redact: { paths: ['secret'], censor: '[redacted]' } }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  let children = 0;
  const child = logger.child.bind(logger);
  const counted = Object.assign(Object.create(logger) as FastifyBaseLogger, {
    child: (...args: Parameters<typeof child>) => {
      children++;
      return child(...args);
    },
  });
  return { logger: counted, lines, children: () => children };
}

describe('LazyRequestLogger', () => {
  test('no child logger until something is logged', () => {
    const c = capture();
    const log = new LazyRequestLogger(c.logger, { reqId: 'r-1' }, {});
    assert.equal(log.level, 'info');
    assert.equal(c.children(), 0);
  });

  test('lines carry the bindings and stay redacted; the child is made once', () => {
    const c = capture();
    const log = new LazyRequestLogger(c.logger, { reqId: 'r-2' }, {});
    log.warn({ secret: 's3cr3t', n: 1 }, 'first');
    log.error('second %s', 'formatted');
    log.debug('not at info');
    assert.equal(c.children(), 1);
    assert.deepEqual(
      c.lines.map((l) => [l.reqId, l.level, l.msg, l.secret]),
      [
        ['r-2', 40, 'first', '[redacted]'],
        ['r-2', 50, 'second formatted', undefined],
      ],
    );
  });

  test('child options (a route log level) apply', () => {
    const c = capture();
    const log = new LazyRequestLogger(c.logger, { reqId: 'r-3' }, { level: 'debug' });
    assert.equal(log.level, 'debug');
    log.debug('shown');
    const grandchild = log.child({ part: 'x' });
    grandchild.info('nested');
    assert.deepEqual(
      c.lines.map((l) => [l.reqId, l.msg, l.part]),
      [
        ['r-3', 'shown', undefined],
        ['r-3', 'nested', 'x'],
      ],
    );
  });
});
