import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNEL_CODES } from '../../src/channels/channel-adapter.js';
import { getAdapter, listAdapters, validateChannelSettings } from '../../src/channels/registry.js';

void describe('channel registry', () => {
  void it('has an adapter for every pushed channel and none for Cornerstone (pull)', () => {
    for (const code of CHANNEL_CODES) {
      const adapter = getAdapter(code);
      if (code === 'CSOD') assert.equal(adapter, undefined);
      else assert.equal(adapter?.code, code);
    }
    assert.equal(getAdapter('NOPE'), undefined);
    assert.equal(new Set(listAdapters().map((a) => a.code)).size, listAdapters().length);
  });

  void it('adapters keep their limits within the port contract', () => {
    for (const a of listAdapters()) {
      assert.ok(a.defaultChunkSize <= a.maxItemsPerCall, a.code);
      assert.ok(a.secretFields.length > 0, a.code);
    }
  });

  void it('refuses bad settings with field messages, schema first, then the adapter checks', () => {
    const generic = getAdapter('GENERIC');
    assert.ok(generic);
    assert.deepEqual(validateChannelSettings(generic, { url: 'https://h.example.com', signing_secret: 'x'.repeat(16) }), []);
    assert.deepEqual(validateChannelSettings(generic, { url: 'https://h.example.com' }), ['signing_secret: is required']);
    assert.deepEqual(validateChannelSettings(generic, { url: 'https://h.example.com', signing_secret: 'x'.repeat(16), bogus: 1 }), [
      'bogus: is not a setting of GENERIC',
    ]);
    assert.deepEqual(validateChannelSettings(generic, null), ['(settings): must be object']);
    assert.deepEqual(validateChannelSettings(generic, { url: 'https://h.example.com', signing_secret: 'short' }), [
      'signing_secret: must not have fewer than 16 characters',
    ]);
    assert.deepEqual(validateChannelSettings(generic, { url: 'http://h.example.com', signing_secret: 'x'.repeat(16) }), ['url: must use https']);
    const canvas = getAdapter('CANVAS');
    assert.ok(canvas);
    const wrongType = validateChannelSettings(canvas, {
      canvas_base_url: 'https://c.example.com',
      canvas_account_id: 'two',
      client_id: 'i',
      client_secret: 's',
      refresh_token: 'r',
    });
    assert.ok(wrongType.some((m) => m.startsWith('canvas_account_id:')), wrongType.join('; '));
    const moodle = getAdapter('MOODLE');
    assert.ok(moodle);
    assert.deepEqual(validateChannelSettings(moodle, { moodle_base_url: 'https://m.example.com', service_short_name: 'edx' }), [
      'token: a token, or a username and a password, is required',
    ]);
  });
});
