import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdList } from './membership-index.service.js';
import { pythonJsonError } from './catalog-query.service.js';

describe('catalog parsing helpers', () => {
  test('parseIdList reads string_agg output', () => {
    assert.deepEqual([...parseIdList('1,22,333,4000000')], [1, 22, 333, 4000000]);
    assert.deepEqual([...parseIdList('7')], [7]);
    assert.equal(parseIdList('').length, 0);
    assert.equal(parseIdList(null).length, 0);
  });

  test("pythonJsonError gives Python json's messages for the common cases", () => {
    const message = (text: string) => {
      try {
        JSON.parse(text);
        return null;
      } catch (err) {
        return pythonJsonError(text, err);
      }
    };
    assert.equal(message('bad query'), 'Expecting value: line 1 column 1 (char 0)');
    assert.equal(message('  \n  x'), 'Expecting value: line 2 column 3 (char 5)');
    assert.match(message('{"a": 1} x') ?? '', /^Extra data: line 1 column 10 \(char 9\)$/);
    assert.match(message('{a: 1}') ?? '', /^Expecting property name enclosed in double quotes: line 1 column 2 \(char 1\)$/);
  });
});
