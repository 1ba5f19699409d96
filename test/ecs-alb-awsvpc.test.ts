/**
 * An ECS service of awsvpc tasks (ip targets: the tasks' own addresses) behind an internal
 * application load balancer on real containers (test/support/alb-service.ts), in the test's own
 * VPC (10.236.0.0/16) with two subnets. The tasks' security group admits only the load
 * balancer's security group on port 80, as ECS users write it: the load balancer's traffic and
 * health checks pass because they come from its address in the VPC, while the host's own
 * request to a task is dropped. Another task reaches the internal load balancer at its address
 * in the subnet.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { removeAwsvpcLeftovers } from './support/awsvpc.ts';
import { albServiceSuite, taskAddress } from './support/alb-service.ts';
import { region } from './support/wharf.ts';

const subnetIds: string[] = [];
let taskGroup = '';
let albGroup = '';

const ctx = albServiceSuite({
  name: 'ecs-alb-awsvpc',
  networkMode: 'awsvpc',
  async prepare(ec2) {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.236.0.0/16' }))).Vpc!.VpcId!;
    for (const [i, zone] of ['a', 'b'].entries()) {
      subnetIds.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.236.${i + 1}.0/24`, AvailabilityZone: `${region}${zone}` }))).Subnet!.SubnetId!);
    }
    const group = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${Date.now()}`, Description: name, VpcId: vpcId }))).GroupId!;
    albGroup = await group('alb');
    taskGroup = await group('web-tasks');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: taskGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: albGroup }] }] }));
    return {
      subnets: subnetIds, securityGroups: [albGroup], scheme: 'internal',
      networkConfiguration: { awsvpcConfiguration: { subnets: subnetIds, securityGroups: [taskGroup], assignPublicIp: 'DISABLED' } },
    };
  },
  cleanup: () => removeAwsvpcLeftovers(subnetIds),
});

/** A GET of `url` from this host with a short timeout: its status, or the error's code. */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('awsvpc tasks behind an internal ALB, as in a VPC', () => {
  it('the load balancer has an address in each subnet, on its interface there, and listens on it', async () => {
    const zones = ctx.loadBalancer.AvailabilityZones!;
    assert.equal(zones.length, 2);
    const enis = (await ctx.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [albGroup] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 2, 'one interface per subnet, in the load balancer\'s security group');
    for (const eni of enis) {
      assert.match(eni.PrivateIpAddress!, /^10\.236\.[12]\./);
      assert.equal(await probe(eni.PrivateIpAddress!, 80), '200', `the listener answers at ${eni.PrivateIpAddress}`);
    }
  });

  it("the tasks' security group admits the load balancer's traffic, not the host's", async () => {
    const [task] = await ctx.tasks();
    const address = taskAddress(task!)!;
    assert.match(address, /^10\.236\.[12]\./);
    assert.equal(await probe(address, 80), 'TIMEOUT', 'a request from the host (not in the load balancer\'s group) is dropped');
    for (let i = 0; i < 6; i++) assert.equal((await ctx.get()).status, 200, 'through the load balancer it passes');
  });

  it('a task in the VPC reaches the internal load balancer at its subnet address', async () => {
    const enis = (await ctx.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [albGroup] }] }))).NetworkInterfaces!;
    const lbAddress = enis.find((e) => e.SubnetId === subnetIds[0])!.PrivateIpAddress!;
    const { taskDefinition } = await ctx.ecs.send(new RegisterTaskDefinitionCommand({
      family: 'ecs-alb-awsvpc-client', networkMode: 'awsvpc',
      containerDefinitions: [{
        name: 'client', image: TEST_IMAGE, memory: 32, essential: true,
        command: ['sh', '-c', `for i in 1 2 3 4 5 6; do timeout 5 wget -q -O - http://${lbAddress}/ || echo failed; done`],
      }],
    }));
    const run = await ctx.ecs.send(new RunTaskCommand({
      cluster: ctx.cluster, taskDefinition: taskDefinition!.taskDefinitionArn,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetIds[1]!], securityGroups: [albGroup] } },
    }));
    const arn = run.tasks![0]!.taskArn!;
    await waitUntilTasksStopped({ client: ctx.ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 2 }, { cluster: ctx.cluster, tasks: [arn] });
    const [stopped] = (await ctx.ecs.send(new DescribeTasksCommand({ cluster: ctx.cluster, tasks: [arn] }))).tasks!;
    assert.equal(stopped!.containers![0]!.exitCode, 0, stopped!.stoppedReason);
    const lines = docker('logs', stopped!.containers![0]!.runtimeId!).trim().split('\n');
    const serving = new Set((await ctx.tasks()).map(taskAddress));
    assert.equal(lines.length, 6, lines.join('\n'));
    for (const line of lines) assert.ok(serving.has(line.split(' ')[0]), `"${line}" is an answer of a service task`);
  });
});
