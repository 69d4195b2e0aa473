import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatUpstreamDateTime,
  joinAbsolutePath,
  latestTimestamp,
  parseQs,
  quotePlus,
  slugify,
  toEpochMicros,
  unquote,
  updateQueryParameters,
} from './python-compat.js';

// Expected values were checked against CPython's urllib.parse and Django's slugify source; the helpers also
// agreed with CPython on several thousand random strings during development.
void describe('urllib.parse equivalents', () => {
  void it('quotePlus keeps only unreserved characters', () => {
    assert.equal(quotePlus('course-v1:edX+DemoX+1T2024'), 'course-v1%3AedX%2BDemoX%2B1T2024');
    assert.equal(quotePlus('a b~_.-é/'), 'a+b~_.-%C3%A9%2F');
  });

  void it('unquote decodes UTF-8 escapes and leaves broken ones', () => {
    assert.equal(unquote('%C3%A9%2F%zz%'), 'é/%zz%');
    assert.equal(unquote('%E2%82'), '\ufffd');
  });

  void it('parseQs drops blank values and keeps repeats', () => {
    assert.deepEqual([...parseQs('a=1&b=&c&a=2&d=x+y%2B')], [
      ['a', ['1', '2']],
      ['d', ['x y+']],
    ]);
  });

  void it('updateQueryParameters overwrites, sorts and re-encodes like upstream', () => {
    assert.equal(
      updateQueryParameters('https://www.edx.org/course/x?utm_source=old&b=1&b=2&e=', {
        utm_medium: 'enterprise',
        utm_source: 'acme',
      }),
      'https://www.edx.org/course/x?b=1&b=2&utm_medium=enterprise&utm_source=acme',
    );
    assert.equal(updateQueryParameters('HTTPS://a.b/p#frag', { z: '1', a: 'x y' }), 'https://a.b/p?a=x+y&z=1#frag');
  });

  void it('joinAbsolutePath keeps only the origin of the base', () => {
    assert.equal(joinAbsolutePath('https://lms.example.com/sub/', '/enterprise/x/?a=1'), 'https://lms.example.com/enterprise/x/?a=1');
  });
});

void describe('slugify', () => {
  void it('matches Django', () => {
    assert.equal(slugify('Acme Corp, Inc.'), 'acme-corp-inc');
    assert.equal(slugify('  Ünïcödé  Ltd -- _x_ '), 'unicode-ltd-_x');
    assert.equal(slugify('ﬁne Ⅻ'), 'fine-xii');
    assert.equal(slugify('日本'), '');
  });
});

void describe('datetimes', () => {
  void it('formats like isoformat() with Z, microseconds only when non-zero', () => {
    assert.equal(formatUpstreamDateTime(new Date('2024-01-12T16:45:17.000Z')), '2024-01-12T16:45:17Z');
    assert.equal(formatUpstreamDateTime(new Date('2024-01-12T16:45:17.430Z')), '2024-01-12T16:45:17.430000Z');
    assert.equal(formatUpstreamDateTime('2024-01-12 16:45:17.436871+00'), '2024-01-12T16:45:17.436871Z');
    assert.equal(formatUpstreamDateTime('2024-01-12T18:45:17.5+02:00'), '2024-01-12T16:45:17.500000Z');
    assert.equal(formatUpstreamDateTime('2024-01-12T16:45:17'), '2024-01-12T16:45:17Z');
  });

  void it('keeps microsecond order and picks the latest', () => {
    assert.ok(toEpochMicros('2024-01-01T00:00:00.000002Z') > toEpochMicros('2024-01-01T00:00:00.000001Z'));
    assert.equal(
      latestTimestamp('2024-01-01T00:00:00.000001Z', null, '2024-01-01T00:00:00.000002Z', undefined),
      '2024-01-01T00:00:00.000002Z',
    );
    assert.equal(latestTimestamp(null), null);
    assert.throws(() => toEpochMicros('yesterday'), TypeError);
  });
});
