/**
 * The Cloud Map domain on SQLite: namespace names held once (a CreatorRequestId retry answers the
 * same operation), a private namespace needing a VPC, services racing a namespace's deletion,
 * registrations checked against DNS records and counted on the service, DiscoverInstances'
 * parameters and health, operations, tags, and the informers' view the DNS server reads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, randomIds } from '../common/index.ts';
import { defaultNetwork } from '../network/index.ts';
import { SqliteStore } from '../state/index.ts';
import { DiscoveryInformers } from './informers.ts';
import {
  checkAttributes, createNamespace, createService, deleteNamespace, deleteService, deregisterInstance, discoverInstances, getNamespace, getOperation, getService,
  instancesRevision, listNamespaces, listOperations, listTags, registerInstance, tagResource, updateCustomHealth,
} from './index.ts';
import type { DiscoveryEnv } from './operations.ts';
import type { Scope, ServiceRecord } from './records.ts';

const scope: Scope = { account: '123456789012', region: 'us-east-1' };
const code = (expected: string, message?: RegExp) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

function env(): DiscoveryEnv {
  return { store: SqliteStore.open(':memory:'), clock: new ManualClock(Date.UTC(2026, 11, 3)), ids: randomIds };
}

async function namespaceOf(e: DiscoveryEnv, operationId: string): Promise<string> {
  return (await getOperation(e, scope, operationId)).targets.NAMESPACE!;
}

describe('the Cloud Map domain', () => {
  it('namespace names are held once; a retry with the same CreatorRequestId answers the same operation', async () => {
    const e = env();
    const op = await createNamespace(e, scope, { type: 'HTTP', name: 'shop', creatorRequestId: 'r1' });
    assert.match(op, /^[a-z2-7]{32}-[a-z2-7]{8}$/);
    assert.equal(await createNamespace(e, scope, { type: 'HTTP', name: 'shop', creatorRequestId: 'r1' }), op);
    const id = await namespaceOf(e, op);
    assert.match(id, /^ns-[a-z2-7]{16}$/);
    await assert.rejects(createNamespace(e, scope, { type: 'HTTP', name: 'shop', creatorRequestId: 'r2' }), (err: AwsError) => {
      assert.equal(err.code, 'NamespaceAlreadyExists');
      assert.deepEqual(err.details, { NamespaceId: id, CreatorRequestId: 'r1' });
      return true;
    });
    await assert.rejects(createNamespace(e, scope, { type: 'DNS_PUBLIC', name: 'SHOP' }), code('NamespaceAlreadyExists'));
    assert.equal((await listNamespaces(e, scope)).length, 1);
  });

  it('a private DNS namespace needs an existing VPC (the default one exists); DNS names are checked', async () => {
    const e = env();
    await assert.rejects(createNamespace(e, scope, { type: 'DNS_PRIVATE', name: 'corp.local', vpcId: 'vpc-0123456789abcdef0' }), code('InvalidInput', /^Vpc: /));
    await assert.rejects(createNamespace(e, scope, { type: 'DNS_PRIVATE', name: 'bad..name', vpcId: 'vpc-x' }), code('InvalidInput', /^Name: /));
    assert.equal((await listNamespaces(e, scope)).length, 0, 'nothing written');
    const vpcId = defaultNetwork(scope, 0).vpc.vpcId;
    const id = await namespaceOf(e, await createNamespace(e, scope, { type: 'DNS_PRIVATE', name: 'corp.local.', vpcId, soaTtl: 60 }));
    const ns = await getNamespace(e, scope, id);
    assert.deepEqual([ns.name, ns.vpcId, ns.soaTtl], ['corp.local', vpcId, 60]);
    assert.match(ns.hostedZoneId!, /^Z[A-Z2-7]{20}$/);
  });

  it('services keep their namespace, instances their service; registrations are checked and counted; the informers see it all', async () => {
    const e = env();
    const nsId = await namespaceOf(e, await createNamespace(e, scope, { type: 'DNS_PUBLIC', name: 'example.com' }));
    const svc = await createService(e, scope, {
      name: 'web', namespaceId: nsId, dnsConfig: { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 10 }, { type: 'SRV', ttl: 10 }] },
      healthCheckCustomConfig: { failureThreshold: 1 },
    });
    await assert.rejects(deleteNamespace(e, scope, nsId), code('ResourceInUse'));
    await assert.rejects(registerInstance(e, scope, { serviceId: svc.id, instanceId: 'i1', attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }),
      code('InvalidInput', /AWS_INSTANCE_PORT/));
    await assert.rejects(registerInstance(e, scope, { serviceId: svc.id, instanceId: 'i1', attributes: { AWS_INSTANCE_IPV4: '10.0.0.300', AWS_INSTANCE_PORT: '80' } }),
      code('InvalidInput', /AWS_INSTANCE_IPV4/));
    const informers = new DiscoveryInformers(e.store);
    await informers.start();
    try {
      await registerInstance(e, scope, { serviceId: svc.id, instanceId: 'i1', attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80', color: 'blue' } });
      await registerInstance(e, scope, { serviceId: svc.id, instanceId: 'i2', attributes: { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '80', color: 'green', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' } });
      assert.equal((await getService(e, scope, svc.id)).instanceCount, 2);
      assert.equal(await instancesRevision(e, scope, 'example.com', 'web'), 2);
      await assert.rejects(deleteService(e, scope, svc.id), code('ResourceInUse'));

      const found = async (req: object) => (await discoverInstances(e, scope, { namespaceName: 'example.com', serviceName: 'web', ...req })).found.map((f) => f.instance.id);
      assert.deepEqual(await found({}), ['i1']);
      assert.deepEqual(await found({ healthStatus: 'ALL' }), ['i1', 'i2']);
      assert.deepEqual(await found({ healthStatus: 'UNHEALTHY' }), ['i2']);
      assert.deepEqual(await found({ healthStatus: 'ALL', queryParameters: { color: 'green' } }), ['i2']);
      assert.deepEqual(await found({ healthStatus: 'ALL', optionalParameters: { color: 'green' } }), ['i2']);
      assert.deepEqual(await found({ healthStatus: 'ALL', optionalParameters: { color: 'red' } }), ['i1', 'i2']);
      await updateCustomHealth(e, scope, svc.id, 'i1', 'UNHEALTHY');
      assert.deepEqual(await found({ healthStatus: 'HEALTHY_OR_ELSE_ALL' }), ['i1', 'i2']);
      await updateCustomHealth(e, scope, svc.id, 'i2', 'HEALTHY');
      assert.deepEqual(await found({ healthStatus: 'HEALTHY_OR_ELSE_ALL' }), ['i2']);

      const waitFor = async (check: () => boolean) => {
        for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
        assert.ok(check());
      };
      await waitFor(() => informers.recordsFor('WEB.example.com.')?.instances.find((i) => i.instance.id === 'i2')?.health === 'HEALTHY');
      const records = informers.recordsFor('web.example.com')!;
      assert.deepEqual(records.instances.map((i) => [i.instance.id, i.health]), [['i1', 'UNHEALTHY'], ['i2', 'HEALTHY']]);
      assert.deepEqual(informers.dnsPort({}, () => 0).answer('web.example.com', 'A'), { records: [{ type: 'A', address: '10.0.0.2' }], ttl: 10 });
      assert.deepEqual(informers.dnsPort({}, () => 0).answer('i1.web.example.com', 'A'), { records: [{ type: 'A', address: '10.0.0.1' }], ttl: 10 });

      const dereg = await deregisterInstance(e, scope, svc.id, 'i1');
      assert.deepEqual((await getOperation(e, scope, dereg)).targets, { SERVICE: svc.id, INSTANCE: 'i1' });
      await assert.rejects(deregisterInstance(e, scope, svc.id, 'i1'), code('InstanceNotFound'));
      await deregisterInstance(e, scope, svc.id, 'i2');
      await deleteService(e, scope, svc.id);
      await deleteNamespace(e, scope, nsId);
      await waitFor(() => informers.recordsFor('web.example.com') === undefined);
      const types = (await listOperations(e, scope)).map((o) => o.type).sort();
      assert.deepEqual(types, ['CREATE_NAMESPACE', 'DELETE_NAMESPACE', 'DEREGISTER_INSTANCE', 'DEREGISTER_INSTANCE', 'REGISTER_INSTANCE', 'REGISTER_INSTANCE']);
      assert.equal((await listOperations(e, scope, [{ name: 'TYPE', values: ['REGISTER_INSTANCE'] }])).length, 2);
    } finally {
      informers.close();
    }
  });

  it('a namespace\'s deletion and a service\'s creation in it race on the namespace: one loses', async () => {
    const e = env();
    const nsId = await namespaceOf(e, await createNamespace(e, scope, { type: 'HTTP', name: 'race' }));
    const [created, deleted] = await Promise.allSettled([createService(e, scope, { name: 's', namespaceId: nsId }), deleteNamespace(e, scope, nsId)]);
    if (created.status === 'fulfilled') {
      assert.equal(deleted.status, 'rejected');
      assert.equal((await getNamespace(e, scope, nsId)).serviceCount, 1);
    } else {
      assert.equal(deleted.status, 'fulfilled');
      assert.equal((created.reason as AwsError).code, 'NamespaceNotFound');
    }
  });

  it('CNAME, routing and health-check rules; tags', async () => {
    const e = env();
    const httpNs = await namespaceOf(e, await createNamespace(e, scope, { type: 'HTTP', name: 'h' }));
    await assert.rejects(createService(e, scope, { name: 'x', namespaceId: httpNs, dnsConfig: { routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 1 }] } }), code('InvalidInput', /^DnsConfig/));
    const pub = await namespaceOf(e, await createNamespace(e, scope, { type: 'DNS_PUBLIC', name: 'p.example' }));
    await assert.rejects(createService(e, scope, { name: 'c', namespaceId: pub, dnsConfig: { routingPolicy: 'MULTIVALUE', records: [{ type: 'CNAME', ttl: 1 }] } }), code('InvalidInput', /RoutingPolicy/));
    await assert.rejects(createService(e, scope, { name: 'c', namespaceId: pub, dnsConfig: { routingPolicy: 'WEIGHTED', records: [{ type: 'CNAME', ttl: 1 }, { type: 'A', ttl: 1 }] } }), code('InvalidInput', /CNAME/));
    await assert.rejects(createService(e, scope, { name: 'h', namespaceId: httpNs, healthCheckConfig: { type: 'HTTP', failureThreshold: 1 } }), code('InvalidInput', /^HealthCheckConfig/));
    const svc = await createService(e, scope, { name: 'ok', namespaceId: pub, tags: [{ key: 'team', value: 'a' }] });
    assert.equal(svc.type, 'HTTP');
    await tagResource(e, scope, svc.arn, [{ key: 'env', value: 'dev' }, { key: 'team', value: 'b' }]);
    assert.deepEqual(await listTags(e, scope, svc.arn), [{ key: 'team', value: 'b' }, { key: 'env', value: 'dev' }]);
    await assert.rejects(listTags(e, scope, svc.arn.replace(svc.id, 'srv-aaaaaaaaaaaaaaaa')), code('ResourceNotFoundException'));
  });

  it('instance attributes against the service\'s records, as Cloud Map documents them', () => {
    const svc = (dnsConfig?: ServiceRecord['dnsConfig'], extra: Partial<ServiceRecord> = {}): ServiceRecord => ({
      id: 'srv-x', arn: '', name: 's', namespaceId: 'ns-x', namespaceName: 'n', namespaceType: 'DNS_PRIVATE', type: 'DNS_HTTP',
      ...(dnsConfig ? { dnsConfig } : {}), instanceCount: 0, instancesRevision: 0, createdAt: 0, tags: [], ...extra,
    });
    const refusedFor = (service: ServiceRecord, attributes: Record<string, string>, field: RegExp) =>
      assert.throws(() => checkAttributes(service, attributes), code('InvalidInput', field));
    const aaaa = svc({ routingPolicy: 'MULTIVALUE', records: [{ type: 'AAAA', ttl: 1 }] });
    refusedFor(aaaa, { AWS_INSTANCE_IPV4: '10.0.0.1' }, /^Attributes\.AWS_INSTANCE_IPV6/);
    refusedFor(aaaa, { AWS_INSTANCE_IPV6: '10.0.0.1' }, /^Attributes\.AWS_INSTANCE_IPV6: 10\.0\.0\.1 is not an IPv6/);
    checkAttributes(aaaa, { AWS_INSTANCE_IPV6: 'fd00::1' });
    const cname = svc({ routingPolicy: 'WEIGHTED', records: [{ type: 'CNAME', ttl: 1 }] });
    refusedFor(cname, {}, /^Attributes\.AWS_INSTANCE_CNAME/);
    const weighted = svc({ routingPolicy: 'WEIGHTED', records: [{ type: 'A', ttl: 1 }] });
    checkAttributes(weighted, { AWS_ALIAS_DNS_NAME: 'lb.example.com' });
    refusedFor(weighted, { AWS_ALIAS_DNS_NAME: 'lb.example.com', AWS_INSTANCE_IPV4: '10.0.0.1' }, /^Attributes\.AWS_INSTANCE_IPV4: not allowed/);
    refusedFor(svc({ routingPolicy: 'MULTIVALUE', records: [{ type: 'A', ttl: 1 }] }), { AWS_ALIAS_DNS_NAME: 'lb' }, /WEIGHTED/);
    refusedFor(svc(), { AWS_INSTANCE_PORT: '70000' }, /^Attributes\.AWS_INSTANCE_PORT/);
    refusedFor(svc(), { AWS_INIT_HEALTH_STATUS: 'SICK' }, /^Attributes\.AWS_INIT_HEALTH_STATUS/);
    refusedFor(svc(), Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v'])), /at most 30 custom/);
    refusedFor(svc(), { big: 'x'.repeat(5000) }, /5000/);
    refusedFor(svc(undefined, { healthCheckConfig: { type: 'HTTP', failureThreshold: 1 } }), { AWS_INSTANCE_IPV4: '10.0.0.1' }, /^Attributes\.AWS_INSTANCE_PORT/);
    checkAttributes(svc(), { anything: 'goes' });
  });
});
