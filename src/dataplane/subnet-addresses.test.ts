import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SubnetAddresses, type AddressPort } from './subnet-addresses.ts';

/** A host whose addresses are a set; `refuse` makes every add fail (not root). */
function fakeHost(initial: string[], refuse = false) {
  const addresses = new Set(initial);
  const calls: string[] = [];
  const port: AddressPort = {
    present: () => new Set(addresses),
    add: async (a) => {
      calls.push(`add ${a}`);
      if (refuse) throw new Error('Operation not permitted');
      addresses.add(a);
    },
    remove: async (a) => {
      calls.push(`del ${a}`);
      addresses.delete(a);
    },
  };
  return { addresses, calls, port };
}

describe('SubnetAddresses', () => {
  it('adds what is wanted, removes only what it added, and gives everything back on release', async () => {
    const host = fakeHost(['127.0.0.1', '10.0.1.9']);
    const held = new SubnetAddresses(host.port, () => undefined);
    await held.sync(new Set(['10.0.1.5', '10.0.1.9']));
    assert.ok(held.holds('10.0.1.5') && held.holds('10.0.1.9'));
    assert.deepEqual(host.calls, ['add 10.0.1.5'], 'an address the host has already is not added');
    await held.sync(new Set(['10.0.2.5']));
    assert.deepEqual(host.calls, ['add 10.0.1.5', 'del 10.0.1.5', 'add 10.0.2.5'], 'the present one is never removed');
    assert.ok(!held.holds('10.0.1.9') && host.addresses.has('10.0.1.9'));
    await held.release();
    assert.deepEqual([...host.addresses].sort(), ['10.0.1.9', '127.0.0.1']);
    assert.ok(!held.holds('10.0.2.5'));
  });

  it('a host that refuses (not root) leaves loopback only, said once, and holds what it had', async () => {
    const host = fakeHost(['10.0.1.9'], true);
    const said: string[] = [];
    const held = new SubnetAddresses(host.port, (m) => said.push(m));
    await held.sync(new Set(['10.0.1.5', '10.0.1.6', '10.0.1.9']));
    await held.sync(new Set(['10.0.1.5', '10.0.1.6', '10.0.1.9']));
    assert.equal(said.length, 1);
    assert.match(said[0]!, /Operation not permitted/);
    assert.deepEqual(host.calls, ['add 10.0.1.5']);
    assert.ok(!held.holds('10.0.1.5') && held.holds('10.0.1.9'));
  });
});
