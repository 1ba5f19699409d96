/**
 * The network domain's writes on both store backends (SQLite and a one-member etcd): the default
 * VPC made once, VPCs with their default group, subnets inside their VPC and apart from each
 * other (also when two creates race), groups and their rules, dependencies that block deletes,
 * and tags on every kind of resource.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, type Ids } from '../common/index.ts';
import { getDoc, listDocs } from '../state/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { ensureDefaultVpc } from './default-vpc.ts';
import type { NetworkEnv } from './env.ts';
import { createSecurityGroup, deleteSecurityGroup, describeSecurityGroups } from './groups.ts';
import { keys, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type VpcRecord } from './records.ts';
import { authorize, describeSecurityGroupRules, revoke } from './rule-changes.ts';
import { createSubnet, deleteSubnet, describeSubnets } from './subnets.ts';
import { createTags, deleteTags, describeTags } from './tags.ts';
import { createVpc, deleteVpc, describeVpcs } from './vpcs.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const code = (expected: string, message?: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (message !== undefined) assert.equal(e.message, message);
  return true;
};

/** Distinct ids, counted. */
function countingIds(): Ids {
  let n = 0;
  return { hex32: () => (++n).toString(16).padStart(32, '0').split('').reverse().join(''), uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

const backends = storeBackends('network');

for (const [backend, open] of Object.entries(backends)) {
  describe(`network domain on ${backend}`, () => {
    const fresh = async (): Promise<NetworkEnv> => {
      const store = await open();
      const env = { store, clock: new ManualClock(), ids: countingIds() };
      await ensureDefaultVpc(store, scope, env.clock.now());
      return env;
    };

    it('the default VPC is made once per scope, with three /20 subnets and its default group', async () => {
      const env = await fresh();
      await Promise.all([ensureDefaultVpc(env.store, scope, 1), ensureDefaultVpc(env.store, scope, 2)]);
      const vpcs = await describeVpcs(env.store, scope, {});
      assert.equal(vpcs.length, 1);
      assert.deepEqual([vpcs[0]!.cidrBlock, vpcs[0]!.isDefault], ['172.31.0.0/16', true]);
      const subnets = await describeSubnets(env.store, scope, {});
      assert.deepEqual(subnets.map((s) => [s.subnet.availabilityZone, s.subnet.cidrBlock, s.availableIpAddressCount]).sort(), [
        ['eu-west-1a', '172.31.0.0/20', 4091], ['eu-west-1b', '172.31.16.0/20', 4091], ['eu-west-1c', '172.31.32.0/20', 4091],
      ]);
      const [group] = await describeSecurityGroups(env.store, scope, {});
      assert.equal(group!.groupName, 'default');
      // Deleted, it is not made again.
      for (const s of subnets) await deleteSubnet(env.store, scope, s.subnet.subnetId);
      await deleteVpc(env.store, scope, vpcs[0]!.vpcId);
      await ensureDefaultVpc(env.store, scope, 3);
      assert.deepEqual(await describeVpcs(env.store, scope, {}), []);
      assert.deepEqual(await describeSecurityGroups(env.store, scope, {}), [], 'its default group went with it');
      await assert.rejects(createSecurityGroup(env, scope, { groupName: 'x', description: 'x', tags: [] }), code('VPCIdNotSpecified'));
    });

    it('a VPC: /16 to /28, its own default group, deletable when empty', async () => {
      const env = await fresh();
      await assert.rejects(createVpc(env, scope, { cidrBlock: '10.0.0.0/8', tags: [] }), code('InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid."));
      await assert.rejects(createVpc(env, scope, { cidrBlock: '10.0.0.0/29', tags: [] }), code('InvalidVpc.Range'));
      await assert.rejects(createVpc(env, scope, { cidrBlock: '10.0.0.1/16', tags: [] }), code('InvalidParameterValue'));
      const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [{ key: 'Name', value: 'main' }] });
      const groups = await describeSecurityGroups(env.store, scope, { filters: [{ name: 'vpc-id', values: [vpc.vpcId] }] });
      assert.deepEqual(groups.map((g) => [g.groupName, g.description, g.rules.length]), [['default', 'default VPC security group', 2]]);
      assert.deepEqual((await describeVpcs(env.store, scope, { filters: [{ name: 'tag:Name', values: ['main'] }] })).map((v) => v.vpcId), [vpc.vpcId]);
      await deleteVpc(env.store, scope, vpc.vpcId);
      assert.equal(await getDoc(env.store, keys.securityGroup(scope, groups[0]!.groupId)), undefined);
      await assert.rejects(deleteVpc(env.store, scope, vpc.vpcId), code('InvalidVpcID.NotFound', `The vpc ID '${vpc.vpcId}' does not exist`));
    });

    it('subnets: inside their VPC, apart from their siblings, in a zone of the region', async () => {
      const env = await fresh();
      const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
      const a = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.0.0/24', tags: [] });
      assert.deepEqual([a.availabilityZone, a.availabilityZoneId, a.defaultForAz], ['eu-west-1a', 'euw1-az1', false]);
      const b = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.1.0/24', availabilityZoneId: 'euw1-az3', tags: [] });
      assert.equal(b.availabilityZone, 'eu-west-1c');
      await assert.rejects(createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.1.0.0/24', tags: [] }), code('InvalidSubnet.Range', "The CIDR '10.1.0.0/24' is invalid."));
      await assert.rejects(createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.0.0/29', tags: [] }), code('InvalidSubnet.Range'));
      await assert.rejects(createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.0.128/25', tags: [] }), code('InvalidSubnet.Conflict', "The CIDR '10.0.0.128/25' conflicts with another subnet"));
      await assert.rejects(createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.2.0/24', availabilityZone: 'eu-west-1z', tags: [] }),
        code('InvalidParameterValue', 'Value (eu-west-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: eu-west-1a, eu-west-1b, eu-west-1c.'));
      await assert.rejects(createSubnet(env, scope, { vpcId: 'vpc-00000000000000099', cidrBlock: '10.0.2.0/24', tags: [] }), code('InvalidVpcID.NotFound'));
      // The default VPC's subnets do not conflict with another VPC's.
      await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.16.0/20', tags: [] });
      await assert.rejects(deleteVpc(env.store, scope, vpc.vpcId), code('DependencyViolation', `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`));
    });

    it('two creates racing for overlapping ranges: exactly one commits', async () => {
      const env = await fresh();
      const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
      const results = await Promise.allSettled(['10.0.0.0/24', '10.0.0.0/23', '10.0.1.0/24', '10.0.0.0/22'].map((cidrBlock) =>
        createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock, tags: [] })));
      const made = (await describeSubnets(env.store, scope, { filters: [{ name: 'vpc-id', values: [vpc.vpcId] }] })).map((s) => s.subnet.cidrBlock);
      const committed = results.filter((r) => r.status === 'fulfilled').length;
      assert.ok(committed >= 1 && committed <= 2, `${committed} committed`);
      assert.equal(made.length, committed);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as AwsError).code, 'InvalidSubnet.Conflict');
      if (made.length === 2) assert.deepEqual(made.sort(), ['10.0.0.0/24', '10.0.1.0/24']);
    });

    it('interfaces hold their subnet and groups: AvailableIpAddressCount, DependencyViolation', async () => {
      const env = await fresh();
      const vpc = await createVpc(env, scope, { cidrBlock: '10.9.0.0/16', tags: [] });
      const subnet = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.9.0.0/28', tags: [] });
      const group = await createSecurityGroup(env, scope, { groupName: 'task', description: 'task', vpcId: vpc.vpcId, tags: [] });
      const eni: NetworkInterfaceRecord = {
        networkInterfaceId: 'eni-0123456789abcdef0', ownerId: scope.account, subnetId: subnet.subnetId, vpcId: vpc.vpcId, availabilityZone: subnet.availabilityZone,
        privateIpAddress: '10.9.0.4', prefixLength: 28, macAddress: '0a:00:00:00:00:01', groupIds: [group.groupId], description: 'x', interfaceType: 'interface',
        status: 'in-use', requesterManaged: true, assignPublicIp: false, tags: [], createdAt: 0,
      };
      await env.store.txn([], [{ type: 'put', key: keys.networkInterface(scope, eni.networkInterfaceId), value: JSON.stringify(eni) }]);
      const [view] = await describeSubnets(env.store, scope, { subnetIds: [subnet.subnetId] });
      assert.equal(view!.availableIpAddressCount, 10);
      await assert.rejects(deleteSubnet(env.store, scope, subnet.subnetId), code('DependencyViolation', `The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`));
      await assert.rejects(deleteSecurityGroup(env.store, scope, { groupId: group.groupId }), code('DependencyViolation', `resource ${group.groupId} has a dependent object`));
      await env.store.txn([], [{ type: 'delete', key: keys.networkInterface(scope, eni.networkInterfaceId) }]);
      await deleteSubnet(env.store, scope, subnet.subnetId);
      await deleteSecurityGroup(env.store, scope, { groupId: group.groupId });
      await deleteVpc(env.store, scope, vpc.vpcId);
    });

    it('groups: names unique per VPC, default VPC by default, the default group stays, references block deletes', async () => {
      const env = await fresh();
      const [defaultVpc] = await describeVpcs(env.store, scope, { filters: [{ name: 'is-default', values: ['true'] }] });
      const web = await createSecurityGroup(env, scope, { groupName: 'web', description: 'web tier', tags: [] });
      assert.equal(web.vpcId, defaultVpc!.vpcId);
      assert.deepEqual(web.rules.map((r) => [r.isEgress, r.ipProtocol, r.cidrIpv4]), [[true, '-1', '0.0.0.0/0']]);
      await assert.rejects(createSecurityGroup(env, scope, { groupName: 'web', description: 'again', tags: [] }),
        code('InvalidGroup.Duplicate', `The security group 'web' already exists for VPC '${defaultVpc!.vpcId}'`));
      await assert.rejects(createSecurityGroup(env, scope, { groupName: 'sg-web', description: 'x', tags: [] }), code('InvalidParameterValue'));
      const other = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
      await createSecurityGroup(env, scope, { groupName: 'web', description: 'web tier', vpcId: other.vpcId, tags: [] });
      const db = await createSecurityGroup(env, scope, { groupName: 'db', description: 'db', tags: [] });
      await authorize(env, scope, { target: { groupId: db.groupId }, isEgress: false, tags: [], permissions: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, groups: [{ groupId: web.groupId }] }] });
      await assert.rejects(deleteSecurityGroup(env.store, scope, { groupId: web.groupId }), code('DependencyViolation'));
      const [defaultGroup] = await describeSecurityGroups(env.store, scope, { groupNames: ['default'] });
      await assert.rejects(deleteSecurityGroup(env.store, scope, { groupId: defaultGroup!.groupId }),
        code('CannotDelete', `the specified group: "${defaultGroup!.groupId}" name: "default" cannot be deleted by a user`));
      await assert.rejects(describeSecurityGroups(env.store, scope, { groupNames: ['nope'] }),
        code('InvalidGroup.NotFound', `The security group 'nope' does not exist in default VPC '${defaultVpc!.vpcId}'`));
      assert.equal(await deleteSecurityGroup(env.store, scope, { groupName: 'db' }), db.groupId);
      await deleteSecurityGroup(env.store, scope, { groupId: web.groupId });
    });

    it('rules: duplicates refused as EC2 names them, peers in the same VPC, revoke by value or id', async () => {
      const env = await fresh();
      const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
      const group = await createSecurityGroup(env, scope, { groupName: 'app', description: 'app', vpcId: vpc.vpcId, tags: [] });
      const elsewhere = await createSecurityGroup(env, scope, { groupName: 'elsewhere', description: 'x', tags: [] });
      const ssh = { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '203.0.113.0/24', description: 'office' }] };
      const { added } = await authorize(env, scope, { target: { groupId: group.groupId }, isEgress: false, permissions: [ssh], tags: [{ key: 'k', value: 'v' }] });
      assert.equal(added.length, 1);
      assert.match(added[0]!.ruleId, /^sgr-[0-9a-f]{17}$/);
      await assert.rejects(authorize(env, scope, { target: { groupId: group.groupId }, isEgress: false, permissions: [{ ...ssh, ipRanges: [{ cidrIp: '203.0.113.0/24' }] }], tags: [] }),
        code('InvalidPermission.Duplicate', 'the specified rule "peer: 203.0.113.0/24, TCP, from port: 22, to port: 22, ALLOW" already exists'));
      await assert.rejects(authorize(env, scope, { target: { groupId: group.groupId }, isEgress: true, permissions: [{ ipProtocol: '-1', ipRanges: [{ cidrIp: '0.0.0.0/0' }] }], tags: [] }),
        code('InvalidPermission.Duplicate', 'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists'));
      await assert.rejects(authorize(env, scope, { target: { groupId: group.groupId }, isEgress: false, permissions: [{ ipProtocol: '-1', groups: [{ groupId: elsewhere.groupId }] }], tags: [] }),
        code('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.'));
      const stored = await getDoc<SecurityGroupRecord>(env.store, keys.securityGroup(scope, group.groupId));
      assert.equal(stored!.value.rules.length, 2, 'refused requests changed nothing');
      // Not in the default VPC: revoking what is not there is an error and revokes nothing.
      const http = { ipProtocol: 'tcp', fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: '0.0.0.0/0' }] };
      await assert.rejects(revoke(env.store, scope, { target: { groupId: group.groupId }, isEgress: false, permissions: [ssh, http], ruleIds: [] }),
        code('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'));
      const gone = await revoke(env.store, scope, { target: { groupId: group.groupId }, isEgress: false, permissions: [{ ...ssh, ipRanges: [{ cidrIp: '203.0.113.0/24' }] }], ruleIds: [] });
      assert.deepEqual(gone.revoked.map((r) => r.ruleId), [added[0]!.ruleId]);
      // In the default VPC: what is not there comes back as unknown.
      const unknown = await revoke(env.store, scope, { target: { groupName: 'elsewhere' }, isEgress: false, permissions: [http], ruleIds: [] });
      assert.deepEqual([unknown.revoked, unknown.unknown.map((p) => p.ipProtocol)], [[], ['tcp']]);
      const egress = (await describeSecurityGroupRules(env.store, scope, { filters: [{ name: 'group-id', values: [elsewhere.groupId] }] }))[0]!.rule;
      await assert.rejects(revoke(env.store, scope, { target: { groupId: elsewhere.groupId }, isEgress: false, permissions: [], ruleIds: [egress.ruleId] }), code('InvalidSecurityGroupRuleId.NotFound'));
      await revoke(env.store, scope, { target: { groupId: elsewhere.groupId }, isEgress: true, permissions: [], ruleIds: [egress.ruleId] });
      assert.deepEqual((await getDoc<SecurityGroupRecord>(env.store, keys.securityGroup(scope, elsewhere.groupId)))!.value.rules, []);
    });

    it('tags on every kind of resource, all or none; DescribeTags with filters', async () => {
      const env = await fresh();
      const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
      const subnet = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.0.0/24', tags: [] });
      const group = await createSecurityGroup(env, scope, { groupName: 'g', description: 'g', vpcId: vpc.vpcId, tags: [] });
      const ruleId = group.rules[0]!.ruleId;
      await createTags(env.store, scope, [vpc.vpcId, subnet.subnetId, group.groupId, ruleId], [{ key: 'team', value: 'blue' }, { key: 'Name', value: 'x' }]);
      await assert.rejects(createTags(env.store, scope, [vpc.vpcId, 'subnet-00000000000000099'], [{ key: 'more', value: '1' }]), code('InvalidSubnetID.NotFound'));
      await assert.rejects(createTags(env.store, scope, ['i-0123456789abcdef0'], [{ key: 'a', value: '1' }]), code('InvalidID', "The ID 'i-0123456789abcdef0' is not valid"));
      await assert.rejects(createTags(env.store, scope, [vpc.vpcId], [{ key: 'aws:x', value: '1' }]), code('InvalidParameterValue'));
      assert.equal((await describeTags(env.store, scope, [{ name: 'key', values: ['more'] }])).length, 0, 'a refused CreateTags tagged nothing');
      const team = await describeTags(env.store, scope, [{ name: 'key', values: ['team'] }]);
      assert.deepEqual(team.map((t) => t.resourceType).sort(), ['security-group', 'security-group-rule', 'subnet', 'vpc']);
      await deleteTags(env.store, scope, [vpc.vpcId], [{ key: 'team', value: 'red' }]);
      assert.equal((await describeTags(env.store, scope, [{ name: 'resource-id', values: [vpc.vpcId] }])).length, 2, 'a value that differs removes nothing');
      await deleteTags(env.store, scope, [vpc.vpcId, ruleId], [{ key: 'team' }]);
      assert.deepEqual((await describeTags(env.store, scope, [{ name: 'key', values: ['team'] }])).map((t) => t.resourceType).sort(), ['security-group', 'subnet']);
      await deleteTags(env.store, scope, [subnet.subnetId], undefined);
      assert.deepEqual(await describeTags(env.store, scope, [{ name: 'resource-type', values: ['subnet'] }]), []);
      const vpcDoc = await getDoc<VpcRecord>(env.store, keys.vpc(scope, vpc.vpcId));
      assert.deepEqual(vpcDoc!.value.tags, [{ key: 'Name', value: 'x' }]);
      assert.equal((await listDocs(env.store, keys.subnets(scope))).length, 4);
    });
  });
}
