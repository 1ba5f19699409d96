/**
 * The APIs of blue/green, service discovery and scaling on `wharf server` with etcd, through their
 * SDK clients: an EXTERNAL service's task sets, Application Auto Scaling on a service, CodeDeploy
 * applications and configurations, Cloud Map instances found by DiscoverInstances, and an SQS
 * queue's message lifecycle with a dead-letter queue and long polling, and an Auto Scaling group
 * of EC2 instances (real hosts) behind a capacity provider — the same domain code the SQLite
 * tests run, here on the distributed store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentConfigCommand, GetDeploymentConfigCommand } from '@aws-sdk/client-codedeploy';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, CreateServiceCommand, CreateTaskSetCommand, DescribeContainerInstancesCommand, DescribeServicesCommand,
  DescribeTaskSetsCommand, DescribeTasksCommand, PutClusterCapacityProvidersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
  UpdateServicePrimaryTaskSetCommand, UpdateTaskSetCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import {
  CreateHttpNamespaceCommand, CreateServiceCommand as CreateDiscoveryServiceCommand, DiscoverInstancesCommand, GetOperationCommand,
  RegisterInstanceCommand, ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { until } from './support/lb-fixture.ts';
import { credentials, ecsClient, region, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

let etcd: EtcdCluster;
let server: WharfProcess;
let ecs: ECSClient;
const clients: { destroy(): void }[] = [];
const client = <C extends { destroy(): void }>(make: new (o: object) => C, extra: object = {}): C => {
  const c = new make({ endpoint: server.url, region, credentials, maxAttempts: 1, ...extra });
  clients.push(c);
  return c;
};

before(async () => {
  etcd = await EtcdCluster.start({ members: 1, dir: tempDir('wharf-etcd-') });
  server = await spawnWharf(['server', '--port', String(await freePort()), '--data-dir', tempDir(), '--store', etcd.storeUrl, '--no-dns'], /Wharf server ready at http:\/\//);
  ecs = ecsClient(server.url);
});

after(async () => {
  for (const c of clients) c.destroy();
  ecs?.destroy();
  await server?.stop();
  await etcd?.stop();
});

describe('the blue/green, discovery and scaling APIs on etcd', () => {
  it('task sets of an EXTERNAL service, and its desiredCount as a scalable target', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'etcd-apis' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'etcd-apis', serviceName: 'web', desiredCount: 4, deploymentController: { type: 'EXTERNAL' } }));
    const blue = (await ecs.send(new CreateTaskSetCommand({ cluster: 'etcd-apis', service: 'web', taskDefinition: 'web', externalId: 'blue' }))).taskSet!;
    const green = (await ecs.send(new CreateTaskSetCommand({ cluster: 'etcd-apis', service: 'web', taskDefinition: 'web', externalId: 'green', scale: { value: 50, unit: 'PERCENT' } }))).taskSet!;
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: 'etcd-apis', service: 'web', primaryTaskSet: green.id }));
    await ecs.send(new UpdateTaskSetCommand({ cluster: 'etcd-apis', service: 'web', taskSet: blue.id, scale: { value: 25, unit: 'PERCENT' } }));
    const sets = (await ecs.send(new DescribeTaskSetsCommand({ cluster: 'etcd-apis', service: 'web' }))).taskSets!;
    assert.deepEqual(
      sets.map((t) => [t.externalId, t.status, t.computedDesiredCount]).sort(),
      [['blue', 'ACTIVE', 1], ['green', 'PRIMARY', 2]],
    );

    const aas = client(ApplicationAutoScalingClient);
    const target = { ServiceNamespace: 'ecs' as const, ScalableDimension: 'ecs:service:DesiredCount' as const, ResourceId: 'service/etcd-apis/web' };
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 6, MaxCapacity: 10 }));
    assert.equal((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets![0]!.MinCapacity, 6);
    // The minimum above the desiredCount raises it at once, and the task sets' counts follow.
    await until('desiredCount raised to the minimum', async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: 'etcd-apis', services: ['web'] }))).services![0]!.desiredCount === 6 ? true : undefined);
    const after = (await ecs.send(new DescribeTaskSetsCommand({ cluster: 'etcd-apis', service: 'web' }))).taskSets!;
    assert.deepEqual(after.map((t) => [t.externalId, t.computedDesiredCount]).sort(), [['blue', 2], ['green', 3]]);
  });

  it('CodeDeploy applications and deployment configurations', async () => {
    const cd = client(CodeDeployClient);
    await cd.send(new CreateApplicationCommand({ applicationName: 'etcd-app', computePlatform: 'ECS' }));
    await cd.send(new CreateDeploymentConfigCommand({
      deploymentConfigName: 'Linear25Every1', computePlatform: 'ECS',
      trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 25, linearInterval: 1 } },
    }));
    const config = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Linear25Every1' }))).deploymentConfigInfo!;
    assert.deepEqual(config.trafficRoutingConfig?.timeBasedLinear, { linearPercentage: 25, linearInterval: 1 });
    await assert.rejects(cd.send(new CreateApplicationCommand({ applicationName: 'etcd-app', computePlatform: 'ECS' })), { name: 'ApplicationAlreadyExistsException' });
  });

  it('Cloud Map instances registered and discovered', async () => {
    const sd = client(ServiceDiscoveryClient, { disableHostPrefix: true });
    const op = await sd.send(new CreateHttpNamespaceCommand({ Name: 'etcd-ns' }));
    const ns = await until('the namespace made', async () => {
      const o = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!;
      return o.Status === 'SUCCESS' ? o.Targets!.NAMESPACE : undefined;
    });
    const service = (await sd.send(new CreateDiscoveryServiceCommand({ Name: 'auth', NamespaceId: ns }))).Service!;
    for (const [id, ip] of [['a', '10.0.0.1'], ['b', '10.0.0.2']]) {
      await sd.send(new RegisterInstanceCommand({ ServiceId: service.Id, InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: ip } }));
    }
    await until('both discovered', async () => {
      const found = (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'etcd-ns', ServiceName: 'auth' }))).Instances!;
      return found.length === 2 ? true : undefined;
    });
  });

  it('an SQS message through long polling, and to the dead-letter queue after maxReceiveCount', async () => {
    const sqs = client(SQSClient);
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'etcd-dlq' }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const queue = (await sqs.send(new CreateQueueCommand({
      QueueName: 'etcd-work', Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
    }))).QueueUrl!;
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'poison', MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }));
    const [first] = (await waiting).Messages!;
    assert.equal(first!.Body, 'poison');
    // Not deleted: visible again after a second, then moved by the receive that finds it.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }))).Messages, undefined);
    const [dead] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 2 }))).Messages!;
    assert.equal(dead!.Body, 'poison');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: dead!.ReceiptHandle }));
    const counts = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['All'] }))).Attributes!;
    assert.equal(counts.ApproximateNumberOfMessages, '0');
  });

  it('an Auto Scaling group of EC2 instances behind a capacity provider: its instance joins with the provider and takes the cluster\'s task; scaled to 0, terminated', async () => {
    const iam = client(IAMClient);
    await iam.send(new CreateRoleCommand({
      RoleName: 'etcdInstanceRole',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'etcdInstanceRole', PolicyName: 'agent', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }] }),
    }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'etcdInstanceProfile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'etcdInstanceProfile', RoleName: 'etcdInstanceRole' }));
    const ec2 = client(EC2Client);
    await ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'etcd-hosts',
      LaunchTemplateData: {
        ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', IamInstanceProfile: { Name: 'etcdInstanceProfile' },
        UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=etcd-cas >> /etc/ecs/ecs.config\n').toString('base64'),
      },
    }));
    const as = client(AutoScalingClient);
    await as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'etcd-hosts', LaunchTemplate: { LaunchTemplateName: 'etcd-hosts' }, MinSize: 0, MaxSize: 2, DesiredCapacity: 0, AvailabilityZones: [`${region}a`] }));
    const group = async () => (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['etcd-hosts'] }))).AutoScalingGroups![0]!;
    await ecs.send(new CreateClusterCommand({ clusterName: 'etcd-cas' }));
    await ecs.send(new CreateCapacityProviderCommand({ name: 'etcd-hosts-cp', autoScalingGroupProvider: { autoScalingGroupArn: (await group()).AutoScalingGroupARN } }));
    await ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'etcd-cas', capacityProviders: ['etcd-hosts-cp'], defaultCapacityProviderStrategy: [{ capacityProvider: 'etcd-hosts-cp', weight: 1 }] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'etcd-job', containerDefinitions: [{ name: 'job', image: 'wharf-test/busybox', memory: 64, command: ['sleep', '600'] }] }));
    const [task] = (await ecs.send(new RunTaskCommand({ cluster: 'etcd-cas', taskDefinition: 'etcd-job' }))).tasks!;
    assert.equal(task!.lastStatus, 'PROVISIONING');

    await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'etcd-hosts', DesiredCapacity: 1 }));
    const instanceId = await until('the group\'s instance', async () => (await group()).Instances?.[0]?.InstanceId, 30_000);
    const placed = await until('the task placed on it', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: 'etcd-cas', tasks: [task!.taskArn!] }))).tasks![0]!;
      return t.containerInstanceArn ? t : undefined;
    }, 60_000);
    const [instance] = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'etcd-cas', containerInstances: [placed.containerInstanceArn!] }))).containerInstances!;
    assert.deepEqual([instance!.ec2InstanceId, instance!.capacityProviderName], [instanceId, 'etcd-hosts-cp']);

    await ecs.send(new StopTaskCommand({ cluster: 'etcd-cas', task: task!.taskArn! }));
    await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'etcd-hosts', DesiredCapacity: 0 }));
    await until('the instance terminated', async () => {
      const [i] = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations!.flatMap((r) => r.Instances!);
      return i?.State?.Name === 'terminated' ? true : undefined;
    }, 60_000);
  });
});
