/**
 * Cloud Map's records as the DNS server's DiscoveryNames, over the real store and informers: the
 * zone a name is in (the longest DNS namespace; HTTP namespaces are none), its SOA TTL, a
 * service's healthy instances with its TTLs, SRV records and their targets; and the
 * --dns-upstream list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, randomIds } from '../common/index.ts';
import {
  DiscoveryInformers, createNamespace, createService, getOperation, registerInstance, updateCustomHealth, type DiscoveryEnv, type Scope,
} from '../discovery/index.ts';
import { defaultNetwork } from '../network/index.ts';
import { SqliteStore } from '../state/index.ts';
import { discoveryNames, parseUpstreams } from './dns-dataplane.ts';

const scope: Scope = { account: '123456789012', region: 'us-east-1' };

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(probe());
}

describe('Cloud Map names for the DNS server', () => {
  it('zones, answers of healthy instances with their TTLs, SRV records', async () => {
    const e: DiscoveryEnv = { store: SqliteStore.open(':memory:'), clock: new ManualClock(Date.UTC(2026, 11, 4)), ids: randomIds };
    const nsOf = async (op: string) => (await getOperation(e, scope, op)).targets.NAMESPACE!;
    const vpcId = defaultNetwork(scope, 0).vpc.vpcId;
    const klp = await nsOf(await createNamespace(e, scope, { type: 'DNS_PRIVATE', name: 'klp.local', vpcId, soaTtl: 30 }));
    const deep = await nsOf(await createNamespace(e, scope, { type: 'DNS_PRIVATE', name: 'deep.klp.local', vpcId }));
    await createNamespace(e, scope, { type: 'HTTP', name: 'http.local' });
    const auth = await createService(e, scope, {
      name: 'auth', namespaceId: klp, dnsConfig: { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 7 }, { type: 'SRV', ttl: 9 }] },
      healthCheckCustomConfig: { failureThreshold: 1 },
    });
    await createService(e, scope, { name: 'db', namespaceId: deep, dnsConfig: { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 5 }] } });
    for (const [id, ip] of [['t-1', '10.0.1.5'], ['t-2', '10.0.1.6']]) {
      await registerInstance(e, scope, { serviceId: auth.id, instanceId: id!, attributes: { AWS_INSTANCE_IPV4: ip!, AWS_INSTANCE_PORT: '8080' } });
    }
    const informers = new DiscoveryInformers(e.store);
    await informers.start();
    try {
      const names = discoveryNames(informers, () => 0);
      assert.deepEqual(names.zoneOf('auth.klp.local'), { zone: 'klp.local', soaTtl: 30 });
      assert.deepEqual(names.zoneOf('KLP.local'), { zone: 'klp.local', soaTtl: 30 });
      assert.deepEqual(names.zoneOf('db.deep.klp.local'), { zone: 'deep.klp.local', soaTtl: 15 }, 'the longest namespace; the default SOA TTL');
      assert.equal(names.zoneOf('x.http.local'), undefined, 'an HTTP namespace has no DNS');
      assert.equal(names.zoneOf('example.com'), undefined);

      const a = names.answer('auth.klp.local', 'A')!;
      assert.equal(a.ttl, 7);
      assert.deepEqual(a.records.map((r) => ('address' in r ? r.address : '')).sort(), ['10.0.1.5', '10.0.1.6']);
      const srv = names.answer('auth.klp.local', 'SRV')!;
      assert.equal(srv.ttl, 9);
      assert.deepEqual(srv.records.map((r) => ('port' in r ? `${r.port} ${r.target}` : '')).sort(), ['8080 t-1.auth.klp.local', '8080 t-2.auth.klp.local']);
      assert.deepEqual(names.answer('t-1.auth.klp.local', 'A')!.records, [{ address: '10.0.1.5' }]);
      assert.deepEqual(names.answer('auth.klp.local', 'AAAA')!.records, [], 'no AAAA records: NODATA');
      assert.equal(names.answer('nothing.klp.local', 'A'), undefined);

      await updateCustomHealth(e, scope, auth.id, 't-2', 'UNHEALTHY');
      await until(() => names.answer('auth.klp.local', 'A')!.records.length === 1);
      assert.deepEqual(names.answer('auth.klp.local', 'A')!.records, [{ address: '10.0.1.5' }], 'an unhealthy instance is left out');
    } finally {
      informers.close();
    }
  });

  it('--dns-upstream: addresses with an optional port (53 by default), IPv6 in brackets', () => {
    assert.deepEqual(parseUpstreams('127.0.0.1:5353,10.0.0.2,[::1]:54,[fd00::1]'), [
      { address: '127.0.0.1', port: 5353 }, { address: '10.0.0.2', port: 53 }, { address: '::1', port: 54 }, { address: 'fd00::1', port: 53 },
    ]);
    assert.throws(() => parseUpstreams('127.0.0.1:99999'), /--dns-upstream/);
    assert.throws(() => parseUpstreams('resolver.example'), /not an IP address/);
  });
});
