import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey } from '../../src/http/address-key.js';

test('an IPv6 client is keyed by its /64, so one subscriber cannot pick a fresh per-IP bucket per address', () => {
  const sameSubscriber = ['2001:db8:0:1::1', '2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:0DB8:0000:0001:abcd::9', '2001:db8:0:1:0:0:0:1'];
  assert.deepEqual(new Set(sameSubscriber.map(addressKey)), new Set(['2001:db8:0:1::/64']));
  assert.equal(addressKey('2001:db8:0:2::1'), '2001:db8:0:2::/64', 'the next /64 is another client');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64', 'a zone index names an interface, not a client');
  assert.equal(addressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64', 'an IPv4 tail of another prefix is still IPv6');
});

test('an IPv4 client, also when a dual-stack socket reports it IPv4-mapped, is keyed by its address', () => {
  assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
  assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(addressKey('::FFFF:c000:0201'), '192.0.2.1');
});
