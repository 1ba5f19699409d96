/**
 * Load balancers' names read from the data plane's view of the store: subnet addresses for
 * tasks, the loopback address on loopback, nothing for unknown or inactive load balancers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../../lb/index.ts';
import { SqliteStore, transact } from '../../state/index.ts';
import { LbView } from '../lb-view.ts';
import { LbViewNames } from './lb-names.ts';
import { loadBalancerRecord } from './names.testing.ts';

const scope = { account: '123456789012', region: 'us-east-1' };

describe('load balancers\' names', () => {
  it('resolve through the LbView to subnet addresses, or loopback for loopback clients', async () => {
    const store = SqliteStore.open(':memory:');
    const view = new LbView(store, (e) => assert.fail(String(e)));
    try {
      await view.start();
      const lb = loadBalancerRecord();
      const idle = loadBalancerRecord({ id: '0000000000000001', dnsName: 'idle-1.us-east-1.elb.amazonaws.com', state: 'provisioning' });
      const bare = loadBalancerRecord({ id: '0000000000000002', dnsName: 'bare-2.us-east-1.elb.amazonaws.com', address: '127.255.0.9', zones: [] });
      await transact(store, async (tx) => {
        for (const r of [lb, idle, bare]) tx.put(keys.loadBalancer(scope, r.id), r);
      });
      await new Promise<void>((resolve) => { const stop = view.onChange(() => { if (view.loadBalancers.list().length === 3) { stop(); resolve(); } }); if (view.loadBalancers.list().length === 3) resolve(); });
      const names = new LbViewNames(view);
      assert.deepEqual(names.loadBalancerAddresses(lb.dnsName, { loopback: false }), ['10.0.1.20', '10.0.2.20']);
      assert.deepEqual(names.loadBalancerAddresses(lb.dnsName, { loopback: true }), ['127.255.0.7']);
      assert.deepEqual(names.loadBalancerAddresses(bare.dnsName, { loopback: false }), ['127.255.0.9'], 'no subnet address yet');
      assert.equal(names.loadBalancerAddresses(idle.dnsName, { loopback: false }), undefined, 'not active');
      assert.equal(names.loadBalancerAddresses('other-1.us-east-1.elb.amazonaws.com', { loopback: false }), undefined);
    } finally {
      view.close();
      store.close();
    }
  });
});
