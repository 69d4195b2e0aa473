import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compareCodePoints, contentFilterHash, PythonFloat, pythonFloatRepr, pythonJsonDumps } from './filter-hash.js';

// Expected strings and digests below were produced by CPython 3 `json.dumps(obj, sort_keys=True)` and
// `hashlib.md5(...).hexdigest()`; the first two are the vectors upstream's own tests assert (reference §4.4, §7.18).
void describe('contentFilterHash', () => {
  void it('matches the upstream vectors', () => {
    assert.equal(contentFilterHash({ content_type: 'course' }), '030f6213522a24bfdc11eb0988adee2c');
    assert.equal(
      contentFilterHash({ content_type: ['political', 'unit', 'market'] }),
      '35584b583415a5bd4e51cc70d898a0eb',
    );
  });

  void it('does not depend on key order, but does on list order', () => {
    const a = contentFilterHash({ partner: 'edx', content_type: 'course', level_type: ['Intermediate', 'Advanced'] });
    const b = contentFilterHash({ level_type: ['Intermediate', 'Advanced'], content_type: 'course', partner: 'edx' });
    const c = contentFilterHash({ level_type: ['Advanced', 'Intermediate'], content_type: 'course', partner: 'edx' });
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  void it('matches CPython on a filter exercising escapes, key order by code point and float layout', () => {
    const filter = {
      b: 1,
      a: [
        1.5,
        new PythonFloat(1e16), // integral doubles are ints unless marked (documented choice)
        1e-5,
        0.0001,
        new PythonFloat(1234567890123456),
        new PythonFloat(-0),
        2.5e-300,
        new PythonFloat(1.7976931348623157e308),
      ],
      é: 'ü\u{1F600}\u007f\u0000\n',
      '\ue000': 1,
      '\u{1F600}': 2,
      z: null,
      t: true,
      f: false,
      nested: { y: {}, x: [] },
    };
    assert.equal(
      pythonJsonDumps(filter),
      '{"a": [1.5, 1e+16, 1e-05, 0.0001, 1234567890123456.0, -0.0, 2.5e-300, 1.7976931348623157e+308], "b": 1, ' +
        '"f": false, "nested": {"x": [], "y": {}}, "t": true, "z": null, ' +
        '"\\u00e9": "\\u00fc\\ud83d\\ude00\\u007f\\u0000\\n", "\\ue000": 1, "\\ud83d\\ude00": 2}',
    );
  });
});

void describe('pythonJsonDumps', () => {
  void it('uses Python separators and literals', () => {
    assert.equal(pythonJsonDumps({ k: [true, false, null, 'x'] }), '{"k": [true, false, null, "x"]}');
    assert.equal(pythonJsonDumps([]), '[]');
    assert.equal(pythonJsonDumps({}), '{}');
  });

  void it('escapes like ensure_ascii=True', () => {
    assert.equal(pythonJsonDumps('"\\/\b\f\n\r\t\u0001~\u0080'), '"\\"\\\\/\\b\\f\\n\\r\\t\\u0001~\\u0080"');
    // A lone surrogate (possible in a Python str from json.loads) is escaped, not replaced.
    assert.equal(pythonJsonDumps('\ud800'), '"\\ud800"');
  });

  void it('writes integral numbers as Python ints and keeps bigint precision', () => {
    assert.equal(pythonJsonDumps(1), '1');
    assert.equal(pythonJsonDumps(1.0), '1'); // documented choice: JSON.parse cannot tell 1 from 1.0
    assert.equal(pythonJsonDumps(new PythonFloat(1)), '1.0');
    assert.equal(pythonJsonDumps(1e21), '1000000000000000000000');
    assert.equal(pythonJsonDumps(12345678901234567890n), '12345678901234567890');
  });

  void it('rejects values JSON cannot hold', () => {
    // @ts-expect-error undefined is not a JSON value
    assert.throws(() => pythonJsonDumps({ a: undefined }), TypeError);
  });
});

void describe('pythonFloatRepr', () => {
  void it('follows repr(float)', () => {
    const cases: Array<[number, string]> = [
      [0, '0.0'],
      [-0, '-0.0'],
      [0.1, '0.1'],
      [100, '100.0'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [123.456, '123.456'],
      [0.001, '0.001'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-2.5e-7, '-2.5e-07'],
      [5e-324, '5e-324'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ];
    for (const [x, expected] of cases) assert.equal(pythonFloatRepr(x), expected, String(x));
  });
});

void describe('compareCodePoints', () => {
  void it('ranks astral characters above the top of the BMP, as Python does', () => {
    assert.ok(compareCodePoints('\uffff', '\u{10000}') < 0);
    assert.ok(compareCodePoints('a', 'b') < 0);
    assert.ok(compareCodePoints('ab', 'a') > 0);
    assert.equal(compareCodePoints('x', 'x'), 0);
  });
});
