/**
 * The hosts of Wharf's EC2 instances, driven through the control plane's port (as the instances
 * controller drives it) on a control plane in this process, with real Docker: two hosts of
 * t3.micro's and t3.medium's sizes join the cluster their user data names, signing with their
 * instance profile's role; ECS (the SDK) describes them as those instances; a task runs a real
 * container on the one its constraint picks; stopping that instance stops its task and shows its
 * agent disconnected; terminating it removes its containers and data. A host without an
 * instance profile runs but never registers. RegisterContainerInstance (the SDK) registers an
 * instance by its identity document, which that instance's host then takes; and a host on the
 * operator's Docker host (a DOCKER_HOST URL) runs a task there across a stop and start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, ListTagsForResourceCommand,
  RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { LocalInstanceHosts } from '../src/cli/instance-hosts.ts';
import type { InstanceHostSpec } from '../src/instances/index.ts';
import { credentials, region, tempDir } from './support/wharf.ts';
import { ACCOUNT, inProcessControlPlane, refused, userWithKey } from './support/in-process.ts';
import { TEST_IMAGE, containersOfCluster, docker, removeClusterContainers } from './support/docker.ts';

const dataDir = tempDir();
const logs: string[] = [];
const start = inProcessControlPlane({
  dataDir, instanceLostAfterMs: 600_000, log: (message) => logs.push(message),
  // Tests in other files may hold 169.254.170.2: these hosts serve no task endpoints.
  instanceHostSettings: { taskServices: false, agent: { telemetryMs: 0, heartbeatMs: 2000, reconnect: { initialMs: 200, maxMs: 1000 } } },
});
let plane: ControlPlane;
let ecs: ECSClient;
const cluster = `hosts-${randomBytes(3).toString('hex')}`;
let clusterArn: string;
let pooledHosts: LocalInstanceHosts | undefined;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/ecsInstanceRole-${cluster}`;
const instanceId = () => `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
const micro = instanceId();
const medium = instanceId();
const orphan = instanceId();
const registered = instanceId();
const pooled = instanceId();

function spec(id: string, instanceType: string, cpu: number, memoryMiB: number, enis: number, userData: string, profile = true): InstanceHostSpec {
  return {
    instanceId: id, account: ACCOUNT, region, availabilityZone: `${region}b`, instanceType, cpu, memoryMiB, maxNetworkInterfaces: enis,
    imageId: 'ami-0123456789abcdef0', subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0', privateIpAddress: '10.0.1.10',
    userData, ...(profile && { instanceProfileRoleArn: roleArn }),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function instances(): Promise<ContainerInstance[]> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
  if (!arns.length) return [];
  return (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
}

const attribute = (i: ContainerInstance, name: string) => i.attributes?.find((a) => a.name === name)?.value;
const resource = (i: ContainerInstance, name: string) => i.registeredResources?.find((r) => r.name === name)?.integerValue;

before(async () => {
  plane = await start();
  ecs = new ECSClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
  // The instance role, as ECS's guide makes it: trusted by EC2, allowed what the agent does.
  const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  const roleName = roleArn.split('/')[1]!;
  await iam.send(new CreateRoleCommand({
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      // The operator's Docker hosts test takes the role's session through STS, as a user of the account.
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
    ] }),
  }));
  await iam.send(new PutRolePolicyCommand({
    RoleName: roleName, PolicyName: 'ecs-agent',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:*', 'ecr:*', 'logs:*'], Resource: '*' }] }),
  }));
});

after(async () => {
  await pooledHosts?.close();
  for (const id of [micro, medium, orphan, registered]) await plane?.instanceHosts.stop(id, 'terminate').catch(() => undefined);
  if (clusterArn) removeClusterContainers(clusterArn);
});

describe('the hosts of Wharf instances', () => {
  it('join the cluster their user data names, as the instances they are', async () => {
    const hosts = plane.instanceHosts;
    await hosts.start(spec(micro, 't3.micro', 2048, 1024, 2, `#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`));
    await hosts.start(spec(medium, 't3.medium', 2048, 4096, 3, [
      '#!/bin/bash',
      'cat <<\'EOF\' >> /etc/ecs/ecs.config',
      `ECS_CLUSTER=${cluster}`,
      'ECS_INSTANCE_ATTRIBUTES={"tier": "large"}',
      'ECS_CONTAINER_INSTANCE_TAGS={"team": "payments"}',
      'ECS_RESERVED_MEMORY=96',
      'EOF',
    ].join('\n')));
    // Started again: nothing changes (the port is idempotent).
    await hosts.start(spec(micro, 't3.micro', 2048, 1024, 2, `#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`));
    assert.deepEqual(hosts.running().sort(), [micro, medium].sort());

    const registered = await until('both container instances', async () => {
      const all = await instances();
      return all.length === 2 && all.every((i) => i.agentConnected) ? all : undefined;
    });
    const byId = new Map(registered.map((i) => [i.ec2InstanceId, i]));
    const m = byId.get(micro)!;
    const l = byId.get(medium)!;
    assert.ok(m && l, `instances ${[...byId.keys()].join(', ')}`);
    assert.equal(attribute(m, 'ecs.instance-type'), 't3.micro');
    assert.equal(attribute(l, 'ecs.instance-type'), 't3.medium');
    assert.equal(attribute(l, 'ecs.availability-zone'), `${region}b`);
    assert.equal(attribute(l, 'ecs.ami-id'), 'ami-0123456789abcdef0');
    assert.equal(attribute(l, 'tier'), 'large');
    assert.equal(resource(m, 'CPU'), 2048);
    assert.equal(resource(m, 'MEMORY'), 1024);
    // ECS_RESERVED_MEMORY kept back.
    assert.equal(resource(l, 'MEMORY'), 4000);
    assert.equal(m.status, 'ACTIVE');
    // ECS_CONTAINER_INSTANCE_TAGS, put by the instance's own principal once it registered.
    const tags = await until('the instance tags', async () => {
      const t = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: l.containerInstanceArn! }))).tags ?? [];
      return t.length ? t : undefined;
    }, 20_000);
    assert.deepEqual(tags, [{ key: 'team', value: 'payments' }]);
  });

  it('run tasks in real containers; a stopped instance stops its tasks, a terminated one loses its containers', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `${cluster}-sleeper`,
      containerDefinitions: [{ name: 'app', image: TEST_IMAGE, command: ['sleep', '600'], memory: 64, essential: true, stopTimeout: 2 }],
    }));
    const run = await ecs.send(new RunTaskCommand({
      cluster, taskDefinition: `${cluster}-sleeper`, placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.medium' }],
    }));
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks![0]!.taskArn!;
    const instance = (await instances()).find((i) => i.ec2InstanceId === medium)!;
    assert.equal(run.tasks![0]!.containerInstanceArn, instance.containerInstanceArn);
    await until('the task RUNNING', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const [container] = containersOfCluster(clusterArn, false);
    assert.ok(container, 'a running container of the cluster');
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', container), 'true');

    await plane.instanceHosts.stop(medium, 'stop');
    assert.deepEqual(plane.instanceHosts.running(), [micro]);
    const stopped = await until('the task STOPPED', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    }, 20_000);
    assert.equal(stopped.containers![0]!.exitCode !== undefined, true);
    const after = await until('the instance disconnected', async () => {
      const i = (await instances()).find((x) => x.ec2InstanceId === medium);
      return i && !i.agentConnected ? i : undefined;
    }, 20_000);
    assert.equal(after.status, 'ACTIVE');
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', container), 'false');
    assert.ok(existsSync(join(dataDir, 'instances', medium)), 'a stopped instance keeps its data');

    // Started again: the same container instance, connected.
    await plane.instanceHosts.start(spec(medium, 't3.medium', 2048, 4096, 3, `ECS_CLUSTER=${cluster}\n`));
    await until('the instance back', async () => {
      const all = await instances();
      const i = all.find((x) => x.ec2InstanceId === medium);
      return all.length === 2 && i?.agentConnected ? i : undefined;
    });

    await plane.instanceHosts.stop(medium, 'terminate');
    assert.equal(containersOfCluster(clusterArn).length, 0, 'no container left of the terminated instance');
    assert.equal(existsSync(join(dataDir, 'instances', medium)), false);
    assert.deepEqual(plane.instanceHosts.running(), [micro]);
  });

  it('runs a host without an instance profile, which cannot register', async () => {
    await plane.instanceHosts.start(spec(orphan, 't3.micro', 2048, 1024, 2, `ECS_CLUSTER=${cluster}\n`, false));
    assert.ok(plane.instanceHosts.running().includes(orphan));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await instances()).some((i) => i.ec2InstanceId === orphan), false);
    await plane.instanceHosts.stop(orphan, 'terminate');
    assert.equal(plane.instanceHosts.running().includes(orphan), false);
    assert.ok(logs.some((l) => l.startsWith(`instance ${orphan}: no IAM instance profile`)), logs.join('\n'));
  });

  it('RegisterContainerInstance registers an instance by its identity document, which its agent then takes', async () => {
    const document = JSON.stringify({
      accountId: ACCOUNT, region, availabilityZone: `${region}c`, instanceId: registered, instanceType: 'm5.large', imageId: 'ami-0fedcba9876543210',
      privateIp: '10.0.1.20', architecture: 'x86_64', version: '2017-09-30', pendingTime: '2026-12-04T09:00:00Z',
    });
    const totalResources = [
      { name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 7680 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] }, { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ];
    const { containerInstance: first } = await ecs.send(new RegisterContainerInstanceCommand({
      cluster, instanceIdentityDocument: document, totalResources,
      versionInfo: { agentVersion: '1.89.0', agentHash: 'abcdef12', dockerVersion: 'DockerVersion: 25.0.5' },
      attributes: [{ name: 'stack', value: 'green' }], tags: [{ key: 'owner', value: 'ops' }],
    }));
    assert.equal(first!.ec2InstanceId, registered);
    assert.equal(first!.status, 'ACTIVE');
    assert.equal(first!.agentConnected, false);
    assert.equal(attribute(first!, 'ecs.instance-type'), 'm5.large');
    assert.equal(attribute(first!, 'ecs.availability-zone'), `${region}c`);
    assert.equal(attribute(first!, 'stack'), 'green');
    assert.equal(resource(first!, 'MEMORY'), 7680);
    assert.deepEqual(first!.tags, [{ key: 'owner', value: 'ops' }]);
    assert.equal(first!.versionInfo?.agentVersion, '1.89.0');

    // Registered again with its ARN: the same container instance, updated.
    const { containerInstance: again } = await ecs.send(new RegisterContainerInstanceCommand({
      cluster, instanceIdentityDocument: document, containerInstanceArn: first!.containerInstanceArn,
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 7000 }],
    }));
    assert.equal(again!.containerInstanceArn, first!.containerInstanceArn);
    assert.equal(resource(again!, 'MEMORY'), 7000);
    assert.equal(again!.version, first!.version! + 1);

    await refused(ecs.send(new RegisterContainerInstanceCommand({ cluster, totalResources })), 'InvalidParameterException');
    await refused(ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: '{not json', totalResources })), 'InvalidParameterException');
    await refused(ecs.send(new RegisterContainerInstanceCommand({
      cluster, instanceIdentityDocument: JSON.stringify({ instanceId: registered, accountId: '210987654321', region }), totalResources,
    })), 'InvalidParameterException', /account 210987654321/);
    await refused(ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: document, totalResources: totalResources.slice(1) })), 'InvalidParameterException', /CPU/);
    await refused(ecs.send(new RegisterContainerInstanceCommand({ cluster: 'no-such-cluster', instanceIdentityDocument: document, totalResources })), 'ClusterNotFoundException');

    // The instance's host starts: its agent takes the registered container instance.
    const before = (await instances()).length;
    await plane.instanceHosts.start(spec(registered, 'm5.large', 2048, 7680, 3, `ECS_CLUSTER=${cluster}\n`));
    const taken = await until('the registered instance connected', async () => {
      const i = (await instances()).find((x) => x.ec2InstanceId === registered);
      return i?.agentConnected ? i : undefined;
    });
    assert.equal(taken.containerInstanceArn, first!.containerInstanceArn);
    assert.equal((await instances()).length, before);
    assert.equal(attribute(taken, 'stack'), 'green');
    await plane.instanceHosts.stop(registered, 'terminate');

    // A host's identity document, signed by Wharf: its signature is verified, and a changed document refused.
    const identityDir = join(dataDir, 'instances', micro, 'instance-identity');
    const microDocument = readFileSync(join(identityDir, 'document'), 'utf8');
    const signature = readFileSync(join(identityDir, 'signature'), 'utf8');
    assert.equal(JSON.parse(microDocument).instanceId, micro);
    const microArn = (await instances()).find((i) => i.ec2InstanceId === micro)!.containerInstanceArn;
    const { containerInstance: signed } = await ecs.send(new RegisterContainerInstanceCommand({
      cluster, instanceIdentityDocument: microDocument, instanceIdentityDocumentSignature: signature, totalResources,
    }));
    assert.equal(signed!.containerInstanceArn, microArn);
    await refused(ecs.send(new RegisterContainerInstanceCommand({
      cluster, instanceIdentityDocument: microDocument.replace('t3.micro', 't3.large'), instanceIdentityDocumentSignature: signature, totalResources,
    })), 'InvalidParameterException', /instanceIdentityDocumentSignature/);
  });

  it('put an instance\'s containers on the operator\'s Docker host, kept across a stop and start', async () => {
    const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    // An account's root may not assume roles (as in AWS): a user allowed to does.
    const keys = await userWithKey(plane.url, `${cluster}-operator`, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }]);
    const sts = new STSClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
    const logs: string[] = [];
    pooledHosts = new LocalInstanceHosts({
      serverUrl: () => plane.url, dataDir: join(dataDir, 'pooled'), dockerHosts: [dockerHost], log: (m) => logs.push(m),
      agent: { telemetryMs: 0, heartbeatMs: 2000, reconnect: { initialMs: 200, maxMs: 1000 } },
      roleSession: async (arn, sessionName) => {
        const c = (await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: sessionName }))).Credentials!;
        return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration! };
      },
    });
    await pooledHosts.start(spec(pooled, 'c5.xlarge', 4096, 8192, 4, `ECS_CLUSTER=${cluster}\n`));
    const instance = await until('the pooled instance', async () => (await instances()).find((i) => i.ec2InstanceId === pooled && i.agentConnected));
    assert.equal(resource(instance, 'CPU'), 4096);
    const run = await ecs.send(new RunTaskCommand({
      cluster, taskDefinition: `${cluster}-sleeper`, placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == c5.xlarge' }],
    }));
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks![0]!.taskArn!;
    await until('the pooled task RUNNING', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    assert.ok(existsSync(join(dataDir, 'pooled', pooled, 'instance-host.json')));
    await pooledHosts.stop(pooled, 'stop');
    await until('the pooled task STOPPED', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    }, 20_000);
    await pooledHosts.start(spec(pooled, 'c5.xlarge', 4096, 8192, 4, `ECS_CLUSTER=${cluster}\n`));
    await until('the pooled instance back', async () => (await instances()).find((i) => i.ec2InstanceId === pooled && i.agentConnected));
    await pooledHosts.stop(pooled, 'terminate');
    assert.equal(containersOfCluster(clusterArn).length, 0);
    assert.equal(existsSync(join(dataDir, 'pooled', pooled)), false);
  });
});
