/**
 * DNS answers for Cloud Map names, pure over records: A/AAAA of healthy instances (up to eight
 * for MULTIVALUE, one for WEIGHTED, the unhealthy ones when none is healthy), SRV records whose
 * targets resolve to the instance's own address, CNAME, TTLs from DnsRecords, NODATA and NXDOMAIN.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dnsAnswer, type DiscoveryDnsView } from './dns-answers.ts';
import type { DnsConfigRecord, InstanceRecord, ServiceRecord } from './records.ts';

function service(name: string, dnsConfig: DnsConfigRecord, extra: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    id: `srv-${name}`, arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${name}`, name, namespaceId: 'ns-1', namespaceName: 'example.local',
    namespaceType: 'DNS_PRIVATE', type: 'DNS_HTTP', dnsConfig, instanceCount: 0, instancesRevision: 0, createdAt: 0, tags: [], ...extra,
  };
}

const instance = (id: string, attributes: Record<string, string>, customHealth?: 'HEALTHY' | 'UNHEALTHY'): InstanceRecord => ({
  id, serviceId: '', namespaceId: 'ns-1', attributes, createdAt: 0, updatedAt: 0, ...(customHealth ? { customHealth } : {}),
});

function view(services: ServiceRecord[], instances: Record<string, InstanceRecord[]>): DiscoveryDnsView {
  return {
    serviceByName: (fqdn) => services.find((s) => `${s.name}.${s.namespaceName}`.toLowerCase() === fqdn),
    instancesOf: (s) => instances[s.id] ?? [],
  };
}

describe('Cloud Map DNS answers', () => {
  const web = service('web', { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 10 }, { type: 'AAAA', ttl: 20 }, { type: 'SRV', ttl: 30 }] });
  const ten = Array.from({ length: 10 }, (_, i) => instance(`i-${i}`, { AWS_INSTANCE_IPV4: `10.0.0.${i}`, AWS_INSTANCE_IPV6: `fd00::${i}`, AWS_INSTANCE_PORT: `${8000 + i}` }));
  const v = view([web], { [web.id]: ten });

  it('A: up to eight records of a MULTIVALUE service, TTL from its A record; names are case-insensitive, the root dot optional', () => {
    const a = dnsAnswer(v, 'WEB.example.local.', 'A')!;
    assert.equal(a.ttl, 10);
    assert.deepEqual(a.records, ten.slice(0, 8).map((i) => ({ type: 'A', address: i.attributes.AWS_INSTANCE_IPV4 })));
    const rotated = dnsAnswer(v, 'web.example.local', 'A', () => 7)!;
    assert.deepEqual(rotated.records.map((r) => (r as { address: string }).address).slice(0, 4), ['10.0.0.7', '10.0.0.8', '10.0.0.9', '10.0.0.0']);
  });

  it('AAAA and SRV: priority 1, weight 1, the port, and a target that resolves to the instance itself', () => {
    assert.deepEqual(dnsAnswer(v, 'web.example.local', 'AAAA')!.records[0], { type: 'AAAA', address: 'fd00::0' });
    const srv = dnsAnswer(v, 'web.example.local', 'SRV')!;
    assert.equal(srv.ttl, 30);
    assert.deepEqual(srv.records[1], { type: 'SRV', priority: 1, weight: 1, port: 8001, target: 'i-1.web.example.local' });
    assert.deepEqual(dnsAnswer(v, 'i-1.web.example.local', 'A'), { records: [{ type: 'A', address: '10.0.0.1' }], ttl: 10 });
    assert.deepEqual(dnsAnswer(v, 'I-1.Web.Example.Local.', 'AAAA'), { records: [{ type: 'AAAA', address: 'fd00::1' }], ttl: 20 });
    assert.deepEqual(dnsAnswer(v, 'i-1.web.example.local', 'CNAME'), { records: [], ttl: 30 }, 'NODATA with the SRV record\'s TTL');
    assert.equal(dnsAnswer(v, 'i-99.web.example.local', 'A'), undefined);
  });

  it('an SRV-only service: the target answers A with the SRV record\'s TTL', () => {
    const api = service('_api._tcp', { routingPolicy: 'MULTIVALUE', records: [{ type: 'SRV', ttl: 60 }] });
    const w = view([api], { [api.id]: [instance('task.1', { AWS_INSTANCE_IPV4: '10.1.0.5', AWS_INSTANCE_PORT: '443' })] });
    assert.deepEqual(dnsAnswer(w, '_api._tcp.example.local', 'SRV')!.records, [{ type: 'SRV', priority: 1, weight: 1, port: 443, target: 'task.1._api._tcp.example.local' }]);
    assert.deepEqual(dnsAnswer(w, 'task.1._api._tcp.example.local', 'A'), { records: [{ type: 'A', address: '10.1.0.5' }], ttl: 60 });
    assert.deepEqual(dnsAnswer(w, '_api._tcp.example.local', 'A'), { records: [], ttl: 60 }, 'no A record: NODATA');
  });

  it('health: unhealthy instances are left out, and answered when none is healthy (as Route 53 does)', () => {
    const custom = service('db', { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 5 }] }, { healthCheckCustomConfig: { failureThreshold: 1 } });
    const three = [instance('a', { AWS_INSTANCE_IPV4: '10.2.0.1' }, 'UNHEALTHY'), instance('b', { AWS_INSTANCE_IPV4: '10.2.0.2' }, 'HEALTHY'), instance('c', { AWS_INSTANCE_IPV4: '10.2.0.3' })];
    assert.deepEqual(dnsAnswer(view([custom], { [custom.id]: three }), 'db.example.local', 'A')!.records.map((r) => (r as { address: string }).address), ['10.2.0.2', '10.2.0.3']);
    const sick = three.map((i) => ({ ...i, customHealth: 'UNHEALTHY' as const }));
    assert.deepEqual(dnsAnswer(view([custom], { [custom.id]: sick }), 'db.example.local', 'A')!.records.length, 3);
  });

  it('WEIGHTED: one record, chosen by pick among the healthy; CNAME', () => {
    const weighted = service('w', { routingPolicy: 'WEIGHTED', records: [{ type: 'A', ttl: 15 }] });
    const w = view([weighted], { [weighted.id]: ten });
    assert.deepEqual(dnsAnswer(w, 'w.example.local', 'A', (n) => n - 1), { records: [{ type: 'A', address: '10.0.0.9' }], ttl: 15 });
    const alias = service('alias', { routingPolicy: 'WEIGHTED', records: [{ type: 'CNAME', ttl: 300 }] });
    const c = view([alias], { [alias.id]: [instance('x', { AWS_INSTANCE_CNAME: 'www.example.com' })] });
    assert.deepEqual(dnsAnswer(c, 'alias.example.local', 'CNAME'), { records: [{ type: 'CNAME', target: 'www.example.com' }], ttl: 300 });
  });

  it('a name Cloud Map does not know is undefined (NXDOMAIN); a known one without instances has no records', () => {
    assert.equal(dnsAnswer(v, 'nothing.example.local', 'A'), undefined);
    const empty = view([web], {});
    assert.deepEqual(dnsAnswer(empty, 'web.example.local', 'A'), { records: [], ttl: 10 });
  });
});
