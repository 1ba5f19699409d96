/**
 * RunTask with awsvpc, called as the platform calls it, on a real in-memory store: the
 * network configuration checked against the task definition's network mode and the VPCs with
 * ECS's messages (a refused launch writes nothing), each task given an interface with an
 * address of its subnet, addresses never shared (also by racing launches), freed when the task
 * is STOPPED, and the interface shown by DescribeTasks.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DescribeTasksResponse, RunTaskResponse, Task } from '@aws-sdk/client-ecs';
import { randomIds, type ManualClock, type TaskStateChange } from '../../common/index.ts';
import { keys as ecsKeys, stageTaskReport, type EcsDeps, type TaskRecord } from '../../ecs/index.ts';
import {
  createSecurityGroup, createSubnet, createVpc, ensureDefaultVpc, keys as netKeys, type NetworkEnv, type NetworkInterfaceRecord,
  type SecurityGroupRecord, type SubnetRecord, type VpcRecord,
} from '../../network/index.ts';
import { getDoc, listDocs, transact, type Store } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import { taskOperations } from './tasks.ts';
import { ctx, ecsTestbed, expectRejected, instanceRecord, scope, seedInstance, type Actions } from './testing.ts';

type Json = Record<string, unknown>;

let store: Store;
let clock: ManualClock;
let deps: EcsDeps;
let api: Actions;
let net: NetworkEnv;
let vpc: VpcRecord;
let subnet: SubnetRecord;

const INSTANCE = 'a'.repeat(32);
const roomy = { cpu: 10_240, memory: 20_480, ports: [], portsUdp: [] };
/** An instance whose agent can give tasks their own interface, as `wharf agent` says it can. */
const eniInstance = (cluster: string, id: string) => instanceRecord(cluster, id, {
  registeredResources: roomy, remainingResources: roomy, attributes: [{ name: 'ecs.capability.task-eni' }],
});
const call = async <T>(action: string, input: Json) => (await api[action](input, ctx)) as T;
const rejects = (input: Json, message: string | RegExp) =>
  expectRejected(store, () => api.RunTask(input, ctx), 'InvalidParameterException', typeof message === 'string' ? exactly(message) : message);
const exactly = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** RunTask of the awsvpc definition `app` in cluster `web`, in `subnets` (and `groups`). */
const run = (subnets: string[], groups?: string[], over: Json = {}) => call<RunTaskResponse>('RunTask', {
  cluster: 'web', taskDefinition: 'app',
  networkConfiguration: { awsvpcConfiguration: { subnets, ...(groups && { securityGroups: groups }) } }, ...over,
});
const storedTask = async (t: Task) => (await getDoc<TaskRecord>(store, ecsKeys.task(scope, 'web', t.taskArn!.split('/').pop()!)))!.value;
const interfaces = async () => (await listDocs<NetworkInterfaceRecord>(store, netKeys.interfaces(scope))).map((d) => d.value);
const addressKeys = async (subnetId: string) => (await store.range(netKeys.addresses(scope, subnetId))).kvs.map((kv) => kv.key.split('/').pop());
const groupsOf = async () => (await listDocs<SecurityGroupRecord>(store, netKeys.securityGroups(scope))).map((d) => d.value);
const defaultGroupOf = async (vpcId: string) => (await groupsOf()).find((g) => g.vpcId === vpcId && g.groupName === 'default')!;
const newSubnet = (cidrBlock: string, vpcId = vpc.vpcId) => createSubnet(net, scope, { vpcId, cidrBlock, tags: [] });

beforeEach(async () => {
  const bed = ecsTestbed();
  ({ store, clock, deps } = bed);
  api = { ...bed.api(clusterOperations), ...bed.api(taskDefinitionOperations), ...bed.api(taskOperations) };
  await call('CreateCluster', { clusterName: 'web' });
  await seedInstance(store, eniInstance('web', INSTANCE));
  await call('RegisterTaskDefinition', { family: 'app', networkMode: 'awsvpc', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] });
  await call('RegisterTaskDefinition', { family: 'plain', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] });
  net = { store, clock, ids: randomIds };
  await ensureDefaultVpc(store, scope, clock.now());
  vpc = await createVpc(net, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
  subnet = await newSubnet('10.0.1.0/24');
});
afterEach(async () => {
  deps.informers.close();
  await store.close();
});

describe('RunTask with awsvpc: the network configuration', () => {
  test('is required for an awsvpc task definition', async () => {
    await rejects({ cluster: 'web', taskDefinition: 'app' }, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: {} }, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  });

  test('is refused for a task definition of another network mode', async () => {
    await rejects(
      { cluster: 'web', taskDefinition: 'plain', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId] } } },
      'Network Configuration is not valid for the given networkMode of this task definition.',
    );
  });

  test('refuses a subnet or a group that does not exist, in ECS\'s words', async () => {
    const missingSubnet = 'subnet-0000000000000dead';
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId, missingSubnet] } } },
      `Error retrieving subnet information for [${missingSubnet}]: The subnet ID '${missingSubnet}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`);
    const missingGroup = 'sg-0000000000000dead';
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: [missingGroup] } } },
      `Error retrieving security group information for [${missingGroup}]: The security group '${missingGroup}' does not exist (ErrorCode: InvalidGroup.NotFound)`);
  });

  test('refuses subnets of two VPCs, and a group of another VPC than the subnets\'', async () => {
    const other = await createVpc(net, scope, { cidrBlock: '10.1.0.0/16', tags: [] });
    const elsewhere = await newSubnet('10.1.1.0/24', other.vpcId);
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId, elsewhere.subnetId] } } },
      'The subnets in the network configuration must all belong to the same VPC.');
    const foreign = await defaultGroupOf(other.vpcId);
    const mine = await defaultGroupOf(vpc.vpcId);
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: [mine.groupId, foreign.groupId] } } },
      `Security group ${foreign.groupId} does not appear to belong to the same VPC as the input subnets.`);
  });

  test('refuses more than 16 subnets or more than 5 security groups', async () => {
    const subnets = Array.from({ length: 17 }, () => subnet.subnetId);
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets } } },
      /networkConfiguration\.awsvpcConfiguration\.subnets.*16/);
    const groups = Array.from({ length: 6 }, () => 'sg-0000000000000beef');
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: groups } } },
      /networkConfiguration\.awsvpcConfiguration\.securityGroups.*5/);
  });

  test('16 subnets and 5 groups are allowed', async () => {
    const subnets = await Promise.all(Array.from({ length: 16 }, (_, i) => newSubnet(`10.0.${100 + i}.0/24`)));
    const groups = [(await defaultGroupOf(vpc.vpcId)).groupId];
    for (let i = 0; i < 4; i++) groups.push((await createSecurityGroup(net, scope, { groupName: `g${i}`, description: 'g', vpcId: vpc.vpcId, tags: [] })).groupId);
    const { tasks } = await run(subnets.map((s) => s.subnetId), groups);
    const eni = (await storedTask(tasks![0]!)).eni!;
    assert.deepEqual(eni.securityGroups, groups);
    assert.ok(subnets.some((s) => s.subnetId === eni.subnetId));
  });

  test('uses the VPC\'s default group when the launch names none', async () => {
    const { tasks } = await run([subnet.subnetId]);
    const eni = (await storedTask(tasks![0]!)).eni!;
    assert.deepEqual(eni.securityGroups, [(await defaultGroupOf(vpc.vpcId)).groupId]);
    const [record] = await interfaces();
    assert.deepEqual(record!.groupIds, eni.securityGroups);
  });
});

describe('RunTask with awsvpc: the task\'s interface', () => {
  test('the task gets an interface with the subnet\'s first assignable address (.4), stored with its address', async () => {
    const group = await createSecurityGroup(net, scope, { groupName: 'web', description: 'web', vpcId: vpc.vpcId, tags: [] });
    const { tasks, failures } = await run([subnet.subnetId], [group.groupId]);
    assert.deepEqual(failures, []);
    const task = await storedTask(tasks![0]!);
    assert.equal(task.lastStatus, 'PROVISIONING');
    const eni = task.eni!;
    assert.equal(eni.privateIPv4Address, '10.0.1.4');
    assert.equal(eni.subnetId, subnet.subnetId);
    assert.equal(eni.vpcId, vpc.vpcId);
    assert.equal(eni.subnetCidr, '10.0.1.0/24');
    assert.equal(eni.vpcCidr, '10.0.0.0/16');
    assert.equal(eni.privateDnsName, 'ip-10-0-1-4.ec2.internal');
    assert.match(eni.macAddress, /^0a(:[0-9a-f]{2}){5}$/);
    assert.deepEqual(eni.securityGroups, [group.groupId]);
    assert.equal(eni.assignPublicIp, false);

    const record = (await getDoc<NetworkInterfaceRecord>(store, netKeys.networkInterface(scope, eni.networkInterfaceId)))!.value;
    assert.equal(record.privateIpAddress, '10.0.1.4');
    assert.equal(record.macAddress, eni.macAddress);
    assert.equal(record.subnetId, subnet.subnetId);
    assert.equal(record.attachment?.taskArn, task.arn);
    assert.equal(record.attachment?.containerInstanceArn, task.containerInstanceArn);
    assert.equal(record.status, 'in-use');
    assert.equal(record.description, `arn:aws:ecs:${scope.region}:${scope.account}:attachment/${eni.attachmentId}`);
    const hold = await getDoc<{ networkInterfaceId: string; ip: string }>(store, netKeys.address(scope, subnet.subnetId, '10.0.1.4'));
    assert.deepEqual(hold?.value, { networkInterfaceId: eni.networkInterfaceId, ip: '10.0.1.4' });
  });

  test('assignPublicIp ENABLED is kept on the task and its interface', async () => {
    const { tasks } = await call<RunTaskResponse>('RunTask', {
      cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], assignPublicIp: 'ENABLED' } },
    });
    assert.equal((await storedTask(tasks![0]!)).eni!.assignPublicIp, true);
    assert.equal((await interfaces())[0]!.assignPublicIp, true);
  });

  test('count 10 gives 10 interfaces with 10 distinct addresses of the subnet', async () => {
    const { tasks } = await run([subnet.subnetId], undefined, { count: 10 });
    assert.equal(tasks!.length, 10);
    const enis = await Promise.all(tasks!.map(async (t) => (await storedTask(t)).eni!));
    const ips = enis.map((e) => e.privateIPv4Address);
    assert.equal(new Set(ips).size, 10);
    assert.deepEqual([...ips].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])), Array.from({ length: 10 }, (_, i) => `10.0.1.${4 + i}`));
    assert.equal(new Set(enis.map((e) => e.networkInterfaceId)).size, 10);
    assert.equal(new Set(enis.map((e) => e.attachmentId)).size, 10);
    assert.equal((await interfaces()).length, 10);
    assert.deepEqual((await addressKeys(subnet.subnetId)).sort(), [...ips].sort());
  });

  test('a subnet with no free address left refuses the launch, with the subnet in the message, writing nothing', async () => {
    const small = await newSubnet('10.0.2.0/28');
    assert.equal((await run([small.subnetId], undefined, { count: 10 })).tasks!.length, 10);
    assert.equal((await run([small.subnetId])).tasks!.length, 1, 'a /28 has 11 assignable addresses');
    await rejects({ cluster: 'web', taskDefinition: 'app', networkConfiguration: { awsvpcConfiguration: { subnets: [small.subnetId] } } },
      `Subnet ${small.subnetId} has no free IP addresses left for the task's network interface.`);
    assert.equal((await addressKeys(small.subnetId)).length, 11);
    assert.ok(!(await addressKeys(small.subnetId)).includes('10.0.2.15'), 'not the broadcast address');
  });

  test('a launch that needs more addresses than are left places none of its tasks', async () => {
    const small = await newSubnet('10.0.2.0/28');
    await run([small.subnetId], undefined, { count: 10 });
    await rejects({ cluster: 'web', taskDefinition: 'app', count: 2, networkConfiguration: { awsvpcConfiguration: { subnets: [small.subnetId] } } },
      /has no free IP addresses left/);
    assert.equal((await addressKeys(small.subnetId)).length, 10);
  });

  test('a STOPPED report deletes the interface and frees its address, which the next launch takes', async () => {
    const { tasks } = await run([subnet.subnetId], undefined, { count: 2 });
    const [first, second] = await Promise.all(tasks!.map(storedTask));
    assert.deepEqual([first!.eni!.privateIPv4Address, second!.eni!.privateIPv4Address].sort(), ['10.0.1.4', '10.0.1.5']);
    const low = first!.eni!.privateIPv4Address === '10.0.1.4' ? first! : second!;
    const report: TaskStateChange = {
      taskArn: low.arn, lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }], stoppedAt: clock.now(), executionStoppedAt: clock.now(),
    };
    const applied = await transact(store, (tx) => stageTaskReport(tx, clock.now(), report, new Set([INSTANCE])));
    assert.equal(applied.outcome, 'applied');
    assert.equal(await getDoc(store, netKeys.networkInterface(scope, low.eni!.networkInterfaceId)), undefined, 'the interface is deleted');
    assert.deepEqual(await addressKeys(subnet.subnetId), ['10.0.1.5'], 'its address is free');
    assert.equal((await storedTask(tasks!.find((t) => t.taskArn === low.arn)!)).eni?.privateIPv4Address, '10.0.1.4', 'the task keeps what it had, for DescribeTasks');

    const again = await run([subnet.subnetId]);
    const next = (await storedTask(again.tasks![0]!)).eni!;
    assert.equal(next.privateIPv4Address, '10.0.1.4', 'the freed address is handed out again');
    assert.notEqual(next.networkInterfaceId, low.eni!.networkInterfaceId);
    assert.deepEqual((await addressKeys(subnet.subnetId)).sort(), ['10.0.1.4', '10.0.1.5']);
  });

  test('a report short of STOPPED keeps the interface', async () => {
    const { tasks } = await run([subnet.subnetId]);
    const task = await storedTask(tasks![0]!);
    const report: TaskStateChange = { taskArn: task.arn, lastStatus: 'RUNNING', containers: [{ name: 'app', lastStatus: 'RUNNING' }] };
    await transact(store, (tx) => stageTaskReport(tx, clock.now(), report, new Set([INSTANCE])));
    assert.equal((await interfaces()).length, 1);
    assert.deepEqual(await addressKeys(subnet.subnetId), ['10.0.1.4']);
  });

  test('StartTask on two instances gives each task its own address, in one commit', async () => {
    const other = 'b'.repeat(32);
    await seedInstance(store, eniInstance('web', other));
    const { tasks, failures } = await call<RunTaskResponse>('StartTask', {
      cluster: 'web', taskDefinition: 'app', containerInstances: [INSTANCE, other],
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId] } },
    });
    assert.deepEqual(failures, []);
    const ips = await Promise.all(tasks!.map(async (t) => (await storedTask(t)).eni!.privateIPv4Address));
    assert.deepEqual(ips.sort(), ['10.0.1.4', '10.0.1.5']);
    await expectRejected(store, () => api.StartTask({ cluster: 'web', taskDefinition: 'app', containerInstances: [INSTANCE] }, ctx),
      'InvalidParameterException', exactly("Network Configuration must be provided when networkMode 'awsvpc' is specified."));
  });

  test('launches racing into one subnet (each in its own cluster) never share an address', async () => {
    const clusters = ['c1', 'c2', 'c3', 'c4', 'c5'];
    for (const [i, name] of clusters.entries()) {
      await call('CreateCluster', { clusterName: name });
      await seedInstance(store, eniInstance(name, String(i + 1).repeat(32)));
    }
    const results = await Promise.all(clusters.map((cluster) => run([subnet.subnetId], undefined, { cluster, count: 3 })));
    assert.equal(results.flatMap((r) => r.tasks!).length, 15);
    const ips = (await interfaces()).map((i) => i.privateIpAddress);
    assert.equal(ips.length, 15);
    assert.equal(new Set(ips).size, 15, `addresses: ${ips.join(', ')}`);
    assert.deepEqual((await addressKeys(subnet.subnetId)).sort(), [...ips].sort());
  });
});

describe('DescribeTasks of an awsvpc task', () => {
  const describeOne = async (arn: string) => (await call<DescribeTasksResponse>('DescribeTasks', { cluster: 'web', tasks: [arn] })).tasks![0]!;

  test('shows the ENI attachment with its details, and each container\'s interface', async () => {
    const { tasks } = await run([subnet.subnetId]);
    const stored = await storedTask(tasks![0]!);
    const eni = stored.eni!;
    const shown = await describeOne(stored.arn);
    assert.deepEqual(shown.attachments, [{
      id: eni.attachmentId,
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [
        { name: 'subnetId', value: subnet.subnetId },
        { name: 'networkInterfaceId', value: eni.networkInterfaceId },
        { name: 'macAddress', value: eni.macAddress },
        { name: 'privateDnsName', value: 'ip-10-0-1-4.ec2.internal' },
        { name: 'privateIPv4Address', value: '10.0.1.4' },
      ],
    }]);
    assert.deepEqual(shown.containers!.map((c) => c.networkInterfaces), [[{ attachmentId: eni.attachmentId, privateIpv4Address: '10.0.1.4' }]]);
    assert.deepEqual(tasks![0]!.attachments, shown.attachments, 'RunTask shows the same');
  });

  test('the attachment is ATTACHED once the task runs and DELETED once it is STOPPED', async () => {
    const { tasks } = await run([subnet.subnetId]);
    const arn = tasks![0]!.taskArn!;
    const report = (lastStatus: TaskStateChange['lastStatus']) => transact(store, (tx) => stageTaskReport(tx, clock.now(), {
      taskArn: arn, lastStatus, containers: [{ name: 'app', lastStatus }],
    }, new Set([INSTANCE])));
    await report('RUNNING');
    assert.equal((await describeOne(arn)).attachments![0]!.status, 'ATTACHED');
    await report('STOPPED');
    const stopped = await describeOne(arn);
    assert.equal(stopped.lastStatus, 'STOPPED');
    assert.equal(stopped.attachments![0]!.status, 'DELETED');
    assert.equal(stopped.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')?.value, '10.0.1.4', 'the details stay');
  });

  test('a bridge task has no attachment and no container interfaces', async () => {
    const { tasks } = await call<RunTaskResponse>('RunTask', { cluster: 'web', taskDefinition: 'plain' });
    const shown = await describeOne(tasks![0]!.taskArn!);
    assert.deepEqual(shown.attachments, []);
    assert.deepEqual(shown.containers![0]!.networkInterfaces, []);
    assert.equal(shown.lastStatus, 'PENDING', 'no PROVISIONING step without an interface');
  });
});
