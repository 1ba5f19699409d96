/**
 * AWS Cloud Map end to end, through @aws-sdk/client-servicediscovery and the AWS CLI against a
 * real control plane in this process: namespaces of the three kinds (a private one in the
 * account's default VPC), services with DNS records and custom health, instances registered with
 * attributes and found by DiscoverInstances with query parameters and health filters, custom
 * health, operations, tags, bad input refused naming the field with nothing changed, and IAM.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateHttpNamespaceCommand, CreatePrivateDnsNamespaceCommand, CreateServiceCommand, DeleteNamespaceCommand, DeleteServiceCommand,
  DeregisterInstanceCommand, DiscoverInstancesCommand, DiscoverInstancesRevisionCommand, GetInstanceCommand, GetInstancesHealthStatusCommand,
  GetNamespaceCommand, GetOperationCommand, GetServiceCommand, ListInstancesCommand, ListNamespacesCommand, ListOperationsCommand,
  ListServicesCommand, ListTagsForResourceCommand, RegisterInstanceCommand, ServiceDiscoveryClient, TagResourceCommand, UntagResourceCommand,
  UpdateHttpNamespaceCommand, UpdateInstanceCustomHealthStatusCommand, UpdateServiceCommand, paginateListNamespaces,
  DeleteServiceAttributesCommand, GetServiceAttributesCommand, UpdateServiceAttributesCommand,
} from '@aws-sdk/client-servicediscovery';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { awsCliEnv, credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey, type Keys } from './support/in-process.ts';

const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let sd: ServiceDiscoveryClient;

/** DiscoverInstances' host prefix (`data-`) is turned off: Wharf serves it on its one endpoint. */
const client = (keys: Keys = credentials) => new ServiceDiscoveryClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1, disableHostPrefix: true });
const { cli, cliFails } = awsCli(() => plane.url, 'servicediscovery');

const NS_ID = /^ns-[a-z2-7]{16}$/;
const SRV_ID = /^srv-[a-z2-7]{16}$/;
const OP_ID = /^[a-z2-7]{32}-[a-z2-7]{8}$/;

/**
 * The AWS CLI sends DiscoverInstances to `data-<endpoint host>` (the operation's host prefix),
 * which no name resolves to here; it is pointed at this forward proxy, which hands every request,
 * its Host header (and so its signature) unchanged, to the control plane.
 */
let proxy: Server;
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    // An absolute URI (`http://data-127.0.0.1:<port>/`, which WHATWG URL refuses as a host): its path is what follows the authority.
    const path = (req.url ?? '/').replace(/^[a-z]+:\/\/[^/]*/i, '') || '/';
    const out = request({ host: target.hostname, port: target.port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** `aws servicediscovery discover-instances …` through the proxy. */
async function cliDiscover(...args: string[]): Promise<Record<string, any>> {
  const env = {
    ...awsCliEnv, AWS_DEFAULT_REGION: region, AWS_REGION: region, AWS_EC2_METADATA_DISABLED: 'true',
    HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, NO_PROXY: '', no_proxy: '',
  };
  const { stdout } = await promisify(execFile)('/usr/bin/aws', ['--endpoint-url', plane.url, '--output', 'json', 'servicediscovery', 'discover-instances', ...args], { env });
  return JSON.parse(stdout) as Record<string, any>;
}

before(async () => {
  plane = await controlPlane();
  sd = client();
  proxy = await startProxy(new URL(plane.url));
});
after(() => {
  sd?.destroy();
  proxy?.close();
});

/** The namespace an operation made. */
async function namespaceOf(operationId: string): Promise<string> {
  const { Operation } = await sd.send(new GetOperationCommand({ OperationId: operationId }));
  return Operation!.Targets!.NAMESPACE!;
}

describe('Cloud Map through the SDK and the AWS CLI', () => {
  let httpNs: string;
  let privateNs: string;
  let publicNs: string;
  let vpcId: string;

  it('namespaces of the three kinds; each creation an operation, SUCCESS, with its target and dates', async () => {
    const created = await sd.send(new CreateHttpNamespaceCommand({ Name: 'shop', CreatorRequestId: 'req-1', Description: 'the shop', Tags: [{ Key: 'team', Value: 'a' }] }));
    assert.match(created.OperationId!, OP_ID);
    const { Operation: op } = await sd.send(new GetOperationCommand({ OperationId: created.OperationId }));
    assert.deepEqual([op!.Id, op!.Type, op!.Status, op!.OwnerAccount], [created.OperationId, 'CREATE_NAMESPACE', 'SUCCESS', ACCOUNT]);
    assert.ok(op!.CreateDate instanceof Date && op!.UpdateDate instanceof Date && op!.UpdateDate.getTime() >= op!.CreateDate.getTime());
    httpNs = op!.Targets!.NAMESPACE!;
    assert.match(httpNs, NS_ID);

    assert.equal((await sd.send(new CreateHttpNamespaceCommand({ Name: 'shop', CreatorRequestId: 'req-1' }))).OperationId, created.OperationId, 'a retry answers the same operation');
    await assert.rejects(sd.send(new CreateHttpNamespaceCommand({ Name: 'shop', CreatorRequestId: 'req-2' })), (e: Error & { NamespaceId?: string; CreatorRequestId?: string }) => {
      assert.equal(e.name, 'NamespaceAlreadyExists');
      assert.deepEqual([e.NamespaceId, e.CreatorRequestId], [httpNs, 'req-1']);
      return true;
    });

    const ec2 = new EC2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.IsDefault)!.VpcId!;
    ec2.destroy();
    privateNs = await namespaceOf((await sd.send(new CreatePrivateDnsNamespaceCommand({
      Name: 'corp.local', Vpc: vpcId, Properties: { DnsProperties: { SOA: { TTL: 60 } } },
    }))).OperationId!);
    const { Namespace: p } = await sd.send(new GetNamespaceCommand({ Id: privateNs }));
    assert.deepEqual([p!.Name, p!.Type, p!.ServiceCount, p!.Properties!.DnsProperties!.SOA!.TTL, p!.Properties!.HttpProperties!.HttpName], ['corp.local', 'DNS_PRIVATE', 0, 60, 'corp.local']);
    assert.match(p!.Properties!.DnsProperties!.HostedZoneId!, /^Z[A-Z0-9]+$/);
    assert.equal(p!.Arn, `arn:aws:servicediscovery:${region}:${ACCOUNT}:namespace/${privateNs}`);

    const byCli = await cli('create-public-dns-namespace', '--name', 'example.org', '--creator-request-id', 'cli-1');
    assert.match(byCli.OperationId, OP_ID);
    const got = await cli('get-operation', '--operation-id', byCli.OperationId);
    assert.deepEqual([got.Operation.Type, got.Operation.Status], ['CREATE_NAMESPACE', 'SUCCESS']);
    publicNs = got.Operation.Targets.NAMESPACE;
    assert.equal((await cli('get-namespace', '--id', publicNs)).Namespace.Type, 'DNS_PUBLIC');
  });

  it('ListNamespaces filters by TYPE, NAME and HTTP_NAME, and pages', async () => {
    const names = async (Filters: object[]) => ((await sd.send(new ListNamespacesCommand({ Filters: Filters as never }))).Namespaces ?? []).map((n) => n.Name).sort();
    assert.deepEqual(await names([]), ['corp.local', 'example.org', 'shop']);
    assert.deepEqual(await names([{ Name: 'TYPE', Values: ['DNS_PRIVATE', 'DNS_PUBLIC'], Condition: 'IN' }]), ['corp.local', 'example.org']);
    assert.deepEqual(await names([{ Name: 'NAME', Values: ['corp'], Condition: 'BEGINS_WITH' }]), ['corp.local']);
    assert.deepEqual(await names([{ Name: 'HTTP_NAME', Values: ['shop'] }]), ['shop']);
    const paged: string[] = [];
    for await (const page of paginateListNamespaces({ client: sd, pageSize: 1 }, {})) {
      assert.ok((page.Namespaces ?? []).length <= 1);
      paged.push(...(page.Namespaces ?? []).map((n) => n.Id!));
    }
    assert.equal(paged.length, 3);
    const listed = await cli('list-namespaces', '--filters', 'Name=TYPE,Values=HTTP,Condition=EQ');
    assert.deepEqual(listed.Namespaces.map((n: { Id: string }) => n.Id), [httpNs]);
    await refused(sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['HTTP'], Condition: 'BEGINS_WITH' }] })), 'InvalidInput', /^Filters\[0\]\.Condition/);
    await sd.send(new UpdateHttpNamespaceCommand({ Id: httpNs, Namespace: { Description: 'renamed shop' } }));
    assert.equal((await sd.send(new GetNamespaceCommand({ Id: httpNs }))).Namespace!.Description, 'renamed shop');
  });

  let web: string;
  let plain: string;

  it('services: DNS records with custom health in the private namespace, an HTTP one; names unique in a namespace', async () => {
    const { Service: s } = await sd.send(new CreateServiceCommand({
      Name: 'web', NamespaceId: privateNs, CreatorRequestId: 'svc-1',
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 10 }, { Type: 'SRV', TTL: 20 }] },
      HealthCheckCustomConfig: {}, Tags: [{ Key: 'app', Value: 'web' }],
    }));
    web = s!.Id!;
    assert.match(web, SRV_ID);
    assert.deepEqual([s!.Arn, s!.Type, s!.NamespaceId, s!.DnsConfig!.RoutingPolicy, s!.InstanceCount],
      [`arn:aws:servicediscovery:${region}:${ACCOUNT}:service/${web}`, 'DNS_HTTP', privateNs, 'MULTIVALUE', 0]);
    assert.equal((await sd.send(new CreateServiceCommand({ Name: 'web', NamespaceId: privateNs, CreatorRequestId: 'svc-1' }))).Service!.Id, web);
    await assert.rejects(sd.send(new CreateServiceCommand({ Name: 'web', NamespaceId: privateNs })), (e: Error & { ServiceId?: string }) => {
      assert.equal(e.name, 'ServiceAlreadyExists');
      assert.equal(e.ServiceId, web);
      return true;
    });
    const byCli = await cli('create-service', '--name', 'orders', '--namespace-id', httpNs);
    plain = byCli.Service.Id;
    assert.equal(byCli.Service.Type, 'HTTP');
    const listed = await sd.send(new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [privateNs] }] }));
    assert.deepEqual(listed.Services!.map((x) => x.Name), ['web']);
    assert.equal((await sd.send(new GetNamespaceCommand({ Id: privateNs }))).Namespace!.ServiceCount, 1);
    await refused(sd.send(new DeleteNamespaceCommand({ Id: privateNs })), 'ResourceInUse');
    const update = await sd.send(new UpdateServiceCommand({ Id: web, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 30 }, { Type: 'SRV', TTL: 20 }] } } }));
    assert.equal((await sd.send(new GetOperationCommand({ OperationId: update.OperationId }))).Operation!.Type, 'UPDATE_SERVICE');
    assert.deepEqual((await sd.send(new GetServiceCommand({ Id: web }))).Service!.DnsConfig!.DnsRecords, [{ Type: 'A', TTL: 30 }, { Type: 'SRV', TTL: 20 }]);
  });

  it('instances: registered with attributes (SDK and CLI), listed, found by DiscoverInstances with query parameters and health', async () => {
    const register = (InstanceId: string, Attributes: Record<string, string>) => sd.send(new RegisterInstanceCommand({ ServiceId: web, InstanceId, Attributes }));
    const r1 = await register('task-1', { AWS_INSTANCE_IPV4: '10.0.1.1', AWS_INSTANCE_PORT: '8080', stage: 'blue' });
    const { Operation: op } = await sd.send(new GetOperationCommand({ OperationId: r1.OperationId }));
    assert.deepEqual([op!.Type, op!.Status, op!.Targets], ['REGISTER_INSTANCE', 'SUCCESS', { SERVICE: web, INSTANCE: 'task-1' }]);
    const before = (await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'corp.local', ServiceName: 'web' }))).InstancesRevision!;
    await register('task-2', { AWS_INSTANCE_IPV4: '10.0.1.2', AWS_INSTANCE_PORT: '8080', stage: 'green', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
    await cli('register-instance', '--service-id', web, '--instance-id', 'task-3', '--attributes', 'AWS_INSTANCE_IPV4=10.0.1.3,AWS_INSTANCE_PORT=8081,stage=green');
    assert.equal((await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'corp.local', ServiceName: 'web' }))).InstancesRevision, before + 2);

    const { Instance } = await sd.send(new GetInstanceCommand({ ServiceId: web, InstanceId: 'task-3' }));
    assert.deepEqual(Instance!.Attributes, { AWS_INSTANCE_IPV4: '10.0.1.3', AWS_INSTANCE_PORT: '8081', stage: 'green' });
    assert.deepEqual((await sd.send(new ListInstancesCommand({ ServiceId: web }))).Instances!.map((i) => i.Id), ['task-1', 'task-2', 'task-3']);
    assert.equal((await sd.send(new GetServiceCommand({ Id: web }))).Service!.InstanceCount, 3);

    const discover = async (extra: object) => {
      const out = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'corp.local', ServiceName: 'web', ...extra }));
      return out.Instances!.map((i) => `${i.InstanceId}:${i.HealthStatus}`);
    };
    assert.deepEqual(await discover({}), ['task-1:HEALTHY', 'task-3:HEALTHY'], 'healthy ones by default');
    assert.deepEqual(await discover({ HealthStatus: 'ALL', QueryParameters: { stage: 'green' } }), ['task-2:UNHEALTHY', 'task-3:HEALTHY']);
    assert.deepEqual(await discover({ HealthStatus: 'UNHEALTHY' }), ['task-2:UNHEALTHY']);
    assert.deepEqual(await discover({ HealthStatus: 'ALL', OptionalParameters: { stage: 'blue' } }), ['task-1:HEALTHY']);
    assert.deepEqual(await discover({ HealthStatus: 'ALL', MaxResults: 1 }), ['task-1:HEALTHY']);
    const full = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'corp.local', ServiceName: 'web', QueryParameters: { stage: 'blue' } }));
    assert.deepEqual(full.Instances, [{ InstanceId: 'task-1', NamespaceName: 'corp.local', ServiceName: 'web', HealthStatus: 'HEALTHY', Attributes: { AWS_INSTANCE_IPV4: '10.0.1.1', AWS_INSTANCE_PORT: '8080', stage: 'blue' } }]);
    assert.equal(full.InstancesRevision, before + 2);

    const byCli = await cliDiscover('--namespace-name', 'corp.local', '--service-name', 'web', '--health-status', 'ALL', '--query-parameters', 'stage=green');
    assert.deepEqual(byCli.Instances.map((i: { InstanceId: string }) => i.InstanceId), ['task-2', 'task-3']);
  });

  it('custom health: UpdateInstanceCustomHealthStatus moves DiscoverInstances; CustomHealthNotFound without HealthCheckCustomConfig', async () => {
    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: web, InstanceId: 'task-1', Status: 'UNHEALTHY' }));
    await cli('update-instance-custom-health-status', '--service-id', web, '--instance-id', 'task-3', '--status', 'UNHEALTHY');
    assert.deepEqual((await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: web }))).Status, { 'task-1': 'UNHEALTHY', 'task-2': 'UNHEALTHY', 'task-3': 'UNHEALTHY' });
    const discover = async (HealthStatus: 'HEALTHY' | 'HEALTHY_OR_ELSE_ALL') =>
      (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'corp.local', ServiceName: 'web', HealthStatus }))).Instances!.map((i) => i.InstanceId);
    assert.deepEqual(await discover('HEALTHY'), []);
    assert.deepEqual(await discover('HEALTHY_OR_ELSE_ALL'), ['task-1', 'task-2', 'task-3'], 'failing open');
    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: web, InstanceId: 'task-2', Status: 'HEALTHY' }));
    assert.deepEqual(await discover('HEALTHY_OR_ELSE_ALL'), ['task-2']);
    assert.deepEqual((await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: web, Instances: ['task-2'] }))).Status, { 'task-2': 'HEALTHY' });

    await sd.send(new RegisterInstanceCommand({ ServiceId: plain, InstanceId: 'o-1', Attributes: { url: 'http://10.0.2.1:80' } }));
    await refused(sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: plain, InstanceId: 'o-1', Status: 'HEALTHY' })), 'CustomHealthNotFound');
    assert.deepEqual((await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'orders', HealthStatus: 'HEALTHY' }))).Instances!.map((i) => [i.InstanceId, i.HealthStatus]),
      [['o-1', 'UNKNOWN']], 'a service without health checks answers all its instances, UNKNOWN');
  });

  it('bad input is refused naming the field, and changes nothing', async () => {
    const operations = async () => (await sd.send(new ListOperationsCommand({}))).Operations!.length;
    const count = await operations();
    await refused(sd.send(new RegisterInstanceCommand({ ServiceId: web, InstanceId: 'task-9', Attributes: { AWS_INSTANCE_IPV4: '10.0.1.9' } })), 'InvalidInput', /AWS_INSTANCE_PORT/);
    await refused(sd.send(new RegisterInstanceCommand({ ServiceId: web, InstanceId: 'task-9', Attributes: { AWS_INSTANCE_IPV4: 'ten', AWS_INSTANCE_PORT: '80' } })), 'InvalidInput', /AWS_INSTANCE_IPV4/);
    await refused(sd.send(new CreateServiceCommand({ Name: 'bad', NamespaceId: privateNs, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: -1 }] } })), 'InvalidInput',
      "1 validation error detected: Value '-1' at 'dnsConfig.dnsRecords.1.member.tTL' failed to satisfy constraint: Member must have value greater than or equal to 0");
    await refused(sd.send(new CreateServiceCommand({ Name: 'bad', NamespaceId: httpNs, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } })), 'InvalidInput', /^DnsConfig/);
    await refused(sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'nowhere.local', Vpc: 'vpc-0123456789abcdef0' })), 'InvalidInput', /^Vpc/);
    const cliError = await cliFails('create-http-namespace', '--name', 'x'.repeat(1025));
    assert.match(cliError, /InvalidInput/);
    assert.match(cliError, /name/i);
    assert.equal(await operations(), count, 'no operation recorded');
    assert.deepEqual((await sd.send(new ListInstancesCommand({ ServiceId: web }))).Instances!.map((i) => i.Id), ['task-1', 'task-2', 'task-3']);
    assert.equal((await sd.send(new ListNamespacesCommand({}))).Namespaces!.length, 3);
    assert.equal((await sd.send(new ListServicesCommand({}))).Services!.length, 2);

    await refused(sd.send(new GetNamespaceCommand({ Id: 'ns-aaaaaaaaaaaaaaaa' })), 'NamespaceNotFound');
    await refused(sd.send(new GetServiceCommand({ Id: 'srv-aaaaaaaaaaaaaaaa' })), 'ServiceNotFound');
    await refused(sd.send(new GetInstanceCommand({ ServiceId: web, InstanceId: 'nope' })), 'InstanceNotFound');
    await refused(sd.send(new GetOperationCommand({ OperationId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaa' })), 'OperationNotFound');
    await refused(sd.send(new DiscoverInstancesCommand({ NamespaceName: 'nope.local', ServiceName: 'web' })), 'NamespaceNotFound');
    await refused(sd.send(new DiscoverInstancesCommand({ NamespaceName: 'corp.local', ServiceName: 'nope' })), 'ServiceNotFound');
  });

  it('tags on namespaces and services by ARN; ResourceNotFoundException for one that is not there', async () => {
    const arn = (await sd.send(new GetServiceCommand({ Id: web }))).Service!.Arn!;
    await sd.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'app', Value: 'web2' }] }));
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'app', Value: 'web2' }, { Key: 'env', Value: 'dev' }]);
    await sd.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['app'] }));
    const nsArn = `arn:aws:servicediscovery:${region}:${ACCOUNT}:namespace/${httpNs}`;
    assert.deepEqual((await cli('list-tags-for-resource', '--resource-arn', nsArn)).Tags, [{ Key: 'team', Value: 'a' }]);
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    await refused(sd.send(new ListTagsForResourceCommand({ ResourceARN: arn.replace(web, 'srv-aaaaaaaaaaaaaaaa') })), 'ResourceNotFoundException');
  });

  it('service attributes: updated, read, deleted; at most 30', async () => {
    await sd.send(new UpdateServiceAttributesCommand({ ServiceId: web, Attributes: { tier: 'front', owner: 'team-a' } }));
    // The AWS CLI here (2.9.19) predates the service-attribute operations and DiscoverInstancesRevision: the SDK alone calls them.
    await sd.send(new UpdateServiceAttributesCommand({ ServiceId: web, Attributes: { tier: 'edge' } }));
    const { ServiceAttributes } = await sd.send(new GetServiceAttributesCommand({ ServiceId: web }));
    assert.deepEqual([ServiceAttributes!.ServiceArn, ServiceAttributes!.Attributes], [`arn:aws:servicediscovery:${region}:${ACCOUNT}:service/${web}`, { tier: 'edge', owner: 'team-a' }]);
    await sd.send(new DeleteServiceAttributesCommand({ ServiceId: web, Attributes: ['owner'] }));
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
    await refused(sd.send(new UpdateServiceAttributesCommand({ ServiceId: web, Attributes: many })), 'ServiceAttributesLimitExceededException');
    assert.deepEqual((await sd.send(new GetServiceAttributesCommand({ ServiceId: web }))).ServiceAttributes!.Attributes, { tier: 'edge' });
  });

  it('IAM: a user without servicediscovery permissions is denied; one allowed on a service reads it alone', async () => {
    const nobody = client(await userWithKey(plane.url, 'sd-nobody'));
    // AWS JSON services answer AccessDeniedException with 400 unless their model says otherwise (Cloud Map's does not).
    await refused(nobody.send(new ListNamespacesCommand({})), 'AccessDeniedException', /servicediscovery:ListNamespaces/);
    await refused(nobody.send(new DiscoverInstancesCommand({ NamespaceName: 'corp.local', ServiceName: 'web' })), 'AccessDeniedException', /servicediscovery:DiscoverInstances/);
    const webArn = `arn:aws:servicediscovery:${region}:${ACCOUNT}:service/${web}`;
    const reader = client(await userWithKey(plane.url, 'sd-reader', [{ Effect: 'Allow', Action: ['servicediscovery:GetService', 'servicediscovery:ListInstances'], Resource: webArn }]));
    assert.equal((await reader.send(new GetServiceCommand({ Id: web }))).Service!.Name, 'web');
    assert.equal((await reader.send(new ListInstancesCommand({ ServiceId: web }))).Instances!.length, 3);
    await refused(reader.send(new GetServiceCommand({ Id: plain })), 'AccessDeniedException');
    await refused(reader.send(new DeregisterInstanceCommand({ ServiceId: web, InstanceId: 'task-1' })), 'AccessDeniedException');
    const tagged = client(await userWithKey(plane.url, 'sd-tagged', [{
      Effect: 'Allow', Action: 'servicediscovery:GetService', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } },
    }]));
    assert.equal((await tagged.send(new GetServiceCommand({ Id: web }))).Service!.Id, web, 'web is tagged env=dev');
    await refused(tagged.send(new GetServiceCommand({ Id: plain })), 'AccessDeniedException');
    tagged.destroy();
    nobody.destroy();
    reader.destroy();
  });

  it('deregistering empties a service; deleting services then namespaces; operations listed by type', async () => {
    for (const id of ['task-1', 'task-2']) await sd.send(new DeregisterInstanceCommand({ ServiceId: web, InstanceId: id }));
    const dereg = await cli('deregister-instance', '--service-id', web, '--instance-id', 'task-3');
    assert.equal((await sd.send(new GetOperationCommand({ OperationId: dereg.OperationId }))).Operation!.Type, 'DEREGISTER_INSTANCE');
    await refused(sd.send(new DeleteServiceCommand({ Id: plain })), 'ResourceInUse');
    await sd.send(new DeregisterInstanceCommand({ ServiceId: plain, InstanceId: 'o-1' }));
    await sd.send(new DeleteServiceCommand({ Id: plain }));
    await cli('delete-service', '--id', web);
    const deleted = await sd.send(new DeleteNamespaceCommand({ Id: privateNs }));
    const { Operation } = await sd.send(new GetOperationCommand({ OperationId: deleted.OperationId }));
    assert.deepEqual([Operation!.Type, Operation!.Status, Operation!.Targets], ['DELETE_NAMESPACE', 'SUCCESS', { NAMESPACE: privateNs }]);
    await refused(sd.send(new GetNamespaceCommand({ Id: privateNs })), 'NamespaceNotFound');
    const registers = await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'TYPE', Values: ['REGISTER_INSTANCE'], Condition: 'EQ' }] }));
    assert.equal(registers.Operations!.length, 4);
    const byCli = await cli('list-operations', '--filters', `Name=NAMESPACE_ID,Values=${privateNs},Condition=EQ`);
    const ids: string[] = byCli.Operations.map((o: { Id: string }) => o.Id);
    assert.equal(ids.length, 2, 'its creation and its deletion');
    assert.ok(ids.includes(deleted.OperationId!));
    assert.deepEqual(byCli.Operations.map((o: { Status: string }) => o.Status), ['SUCCESS', 'SUCCESS']);
  });
});
