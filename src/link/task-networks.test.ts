/**
 * What the link tells an agent about its awsvpc tasks, on a real in-memory store: each task
 * with its interface and the firewall its security groups make, sent again when a rule of its
 * groups or a member of a group they name changes, and not for changes that do not touch it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DesiredTask, ServerMessage, TaskFirewall } from '../common/index.ts';
import { randomIds, systemClock } from '../common/index.ts';
import { launchTasks, stageTaskReport, type EcsDeps, type TaskRecord } from '../ecs/index.ts';
import { ecsDepsOver, scope, seed, seedTaskDefinition, taskDefinitionRecord } from '../ecs/testing.ts';
import {
  createSecurityGroup, createSubnet, createVpc, ensureDefaultVpc, keys as netKeys, type NetworkEnv, type SecurityGroupRecord,
  type SecurityGroupRuleRecord, type SubnetRecord, type VpcRecord,
} from '../network/index.ts';
import { getDoc, transact } from '../state/index.ts';
import { taskInterfaceOf } from './task-networks.ts';
import { connectLink, helloOf, isRegistered, isTasks, linkWorld, userKey, type LinkClient, type LinkWorld } from './testing.ts';

type Tasks = Extract<ServerMessage, { type: 'tasks' }>;
const ALL_OUT: TaskFirewall['egress'] = [{ protocol: 'all', cidrs: ['0.0.0.0/0'] }];

describe('awsvpc tasks on the agent link', () => {
  let w: LinkWorld;
  let net: NetworkEnv;
  let deps: EcsDeps;
  let vpc: VpcRecord;
  let subnet: SubnetRecord;
  let web: SecurityGroupRecord;
  let c: LinkClient;
  let instanceId: string;

  beforeEach(async () => {
    w = await linkWorld();
    net = { store: w.store, clock: systemClock, ids: randomIds };
    deps = ecsDepsOver(w.store, w.informers);
    await ensureDefaultVpc(w.store, scope, 0);
    vpc = await createVpc(net, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
    subnet = await createSubnet(net, scope, { vpcId: vpc.vpcId, cidrBlock: '10.0.1.0/24', tags: [] });
    web = await createSecurityGroup(net, scope, { groupName: 'web', description: 'web', vpcId: vpc.vpcId, tags: [] });
    await seedTaskDefinition(w.store, taskDefinitionRecord('app', 1, [{ name: 'app', image: 'nginx', memory: 64 }], {
      networkMode: 'awsvpc', requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    }));
    c = await connectLink(w.url, userKey('agent'));
    c.send(helloOf('agent-1', { attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.task-eni' }] }));
    instanceId = (await c.next(isRegistered)).containerInstanceArns[0]!.split('/').pop()!;
    await c.next(isTasks);
  });
  afterEach(() => w.close());

  /** Launches one awsvpc task of `app` in the subnet with `groups`. */
  async function launch(groups: string[]): Promise<TaskRecord> {
    const { tasks, failures } = await launchTasks(deps, scope, {
      clusterRef: 'default', taskDefinitionRef: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1', enableExecuteCommand: false,
      constraints: [], strategy: [], overrides: {}, networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: groups } },
    }, 1);
    assert.deepEqual(failures, []);
    return tasks[0]!;
  }

  /** Rewrites a group with one more rule, as AuthorizeSecurityGroupIngress/Egress would. */
  async function addRule(group: SecurityGroupRecord, rule: Omit<SecurityGroupRuleRecord, 'ruleId' | 'tags'>): Promise<void> {
    const current = (await getDoc<SecurityGroupRecord>(w.store, netKeys.securityGroup(scope, group.groupId)))!.value;
    const added: SecurityGroupRuleRecord = { ruleId: `sgr-${randomIds.hex32().slice(0, 17)}`, tags: [], ...rule };
    await seed(w.store, netKeys.securityGroup(scope, group.groupId), { ...current, rules: [...current.rules, added] });
  }

  /** The first message (from the `from`th received on) that sends `taskArn` with a firewall passing `test`. */
  const sentWith = (taskArn: string, test: (f: TaskFirewall) => boolean, from = 0) =>
    c.next((m): m is Tasks => c.messages.indexOf(m) >= from && isTasks(m)
      && m.tasks.some((t) => t.taskArn === taskArn && t.networkInterface !== undefined && test(t.networkInterface.firewall)))
      .then((m) => m.tasks.find((t) => t.taskArn === taskArn)!);
  const sentTasks = () => c.messages.filter(isTasks).flatMap((m) => m.tasks);
  const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

  it('sends an awsvpc task with its interface and the firewall of its groups', async () => {
    const task = await launch([web.groupId]);
    const sent: DesiredTask = await sentWith(task.arn, () => true);
    assert.deepEqual(sent.networkInterface, {
      networkInterfaceId: task.eni!.networkInterfaceId,
      subnetId: subnet.subnetId,
      subnetCidr: '10.0.1.0/24',
      vpcCidr: '10.0.0.0/16',
      privateIpAddress: '10.0.1.4',
      macAddress: task.eni!.macAddress,
      gateway: '10.0.1.1',
      firewall: { ingress: [], egress: ALL_OUT },
    });
  });

  it('a rule authorized in the task\'s group sends the task again with the new firewall', async () => {
    const task = await launch([web.groupId]);
    await sentWith(task.arn, () => true);
    await settle();
    const before = sentTasks().length;
    await addRule(web, { isEgress: false, ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '192.168.0.0/16' });
    const again = await sentWith(task.arn, (f) => f.ingress.length > 0);
    assert.deepEqual(again.networkInterface!.firewall, {
      ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['192.168.0.0/16'] }], egress: ALL_OUT,
    });
    assert.equal(again.desiredStatus, 'RUNNING');
    assert.deepEqual(again.spec, JSON.parse(JSON.stringify(task.spec)));
    await settle();
    assert.equal(sentTasks().length, before + 1, 'sent once for the change');
  });

  it('a new member of a group the task\'s rules name sends the task again with the member\'s address', async () => {
    const lb = await createSecurityGroup(net, scope, { groupName: 'lb', description: 'lb', vpcId: vpc.vpcId, tags: [] });
    await addRule(web, { isEgress: false, ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, referencedGroupId: lb.groupId });
    const task = await launch([web.groupId]);
    const first = await sentWith(task.arn, () => true);
    assert.deepEqual(first.networkInterface!.firewall.ingress, [], 'no member yet: the rule allows nothing');
    const member = await launch([lb.groupId]);
    const again = await sentWith(task.arn, (f) => f.ingress.length > 0);
    assert.deepEqual(again.networkInterface!.firewall.ingress, [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs: [`${member.eni!.privateIPv4Address}/32`] }]);
  });

  it('a member leaving (its task STOPPED, its interface deleted) sends the task again without the address', async () => {
    const lb = await createSecurityGroup(net, scope, { groupName: 'lb', description: 'lb', vpcId: vpc.vpcId, tags: [] });
    await addRule(web, { isEgress: false, ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, referencedGroupId: lb.groupId });
    const task = await launch([web.groupId]);
    const member = await launch([lb.groupId]);
    await sentWith(task.arn, (f) => f.ingress.length > 0);
    const from = c.messages.length;
    const stopped = await transact(w.store, (tx) => stageTaskReport(tx, Date.now(), {
      taskArn: member.arn, lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }],
    }, new Set([instanceId])));
    assert.equal(stopped.outcome, 'applied');
    const again = await sentWith(task.arn, () => true, from);
    assert.deepEqual(again.networkInterface!.firewall.ingress, [], 'the rule names a group with no member left');
    await settle();
    const memberSends = sentTasks().filter((t) => t.taskArn === member.arn);
    assert.ok(memberSends.every((t) => t.desiredStatus === 'RUNNING'), 'the stopped member is not sent for the change');
  });

  it('a change that does not touch the task\'s firewall (another VPC\'s group) sends nothing', async () => {
    const task = await launch([web.groupId]);
    await sentWith(task.arn, () => true);
    await settle();
    const before = c.messages.length;
    const other = await createVpc(net, scope, { cidrBlock: '10.1.0.0/16', tags: [] });
    const theirs = await createSecurityGroup(net, scope, { groupName: 'web', description: 'web', vpcId: other.vpcId, tags: [] });
    await addRule(theirs, { isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' });
    await settle();
    assert.deepEqual(c.messages.slice(before), [], 'nothing is sent');
    assert.ok(w.network.group(`${scope.account}/${scope.region}`, theirs.groupId)?.rules.some((r) => r.fromPort === 22), 'the change was seen');
  });

  it('taskInterfaceOf: none for a task without an interface; the firewall from the informers as they are now', async () => {
    const task = await launch([web.groupId]);
    await sentWith(task.arn, () => true);
    assert.equal(taskInterfaceOf({ ...task, eni: undefined }, w.network), undefined);
    assert.deepEqual(taskInterfaceOf(task, w.network)!.firewall, { ingress: [], egress: ALL_OUT });
    assert.deepEqual(taskInterfaceOf({ ...task, eni: { ...task.eni!, securityGroups: ['sg-00000000000000000'] } }, w.network)!.firewall, { ingress: [], egress: [] }, 'a group that is gone allows nothing');
  });
});
