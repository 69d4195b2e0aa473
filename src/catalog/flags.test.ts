import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AppError } from '../shared/errors.js';
import { parseBooleanFlag } from './flags.js';

void describe('parseBooleanFlag', () => {
  void it('accepts true/1/yes in any case', () => {
    for (const v of ['true', 'True', 'TRUE', '1', 'yes', 'Yes', ' true ']) assert.equal(parseBooleanFlag('f', v), true, v);
  });

  void it('accepts false/0/no/empty', () => {
    for (const v of ['false', 'False', '0', 'no', 'NO', '']) assert.equal(parseBooleanFlag('f', v), false, v);
  });

  void it('uses the default when absent and the last value when repeated', () => {
    assert.equal(parseBooleanFlag('f', undefined), false);
    assert.equal(parseBooleanFlag('f', undefined, true), true);
    assert.equal(parseBooleanFlag('f', ['false', 'true']), true);
    assert.equal(parseBooleanFlag('f', []), false);
  });

  void it('rejects anything else with a clear 400', () => {
    assert.throws(
      () => parseBooleanFlag('traverse_pagination', 'maybe'),
      (err: unknown) =>
        err instanceof AppError &&
        err.kind === 'bad_request' &&
        err.code === 'invalid_boolean_flag' &&
        err.message.includes('traverse_pagination') &&
        err.message.includes('"maybe"'),
    );
  });
});
