import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DesiredTask } from '../common/index.ts';
import type { ContainerInfo } from './runtime.ts';
import { newTask, type TaskModel } from './task-lifecycle.ts';
import { containerMetadata, metadataContainers, taskMetadata } from './task-metadata.ts';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

function task(over: Partial<DesiredTask> = {}): TaskModel {
  const t = newTask({
    taskArn: TASK, clusterArn: CLUSTER, containerInstanceArn: 'ci', desiredStatus: 'RUNNING',
    spec: { family: 'web', revision: 3, networkMode: 'bridge', cpu: 512, memory: 1024, containers: [
      { name: 'app', image: 'app:1', cpu: 256, memory: 512, logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } } },
    ] },
    containerArns: { app: 'arn:aws:ecs:us-east-1:123456789012:container/prod/0123/c-1' },
    ...over,
  });
  return { ...t, known: 'RUNNING', pullStartedAt: 1000, pullStoppedAt: 2000, containers: t.containers.map((c) => ({ ...c, known: 'RUNNING', runtimeId: 'd1', started: true })) };
}
const info = (id: string, name: string, ip?: string): ContainerInfo => ({
  id, name, labels: { l: 'v' }, state: 'running', image: 'app:1', imageId: 'sha256:ab', oomKilled: false, ports: [], createdAt: 500, startedAt: 600,
  ...(ip && { ipAddress: ip }),
});

describe('task metadata', () => {
  it('v4 gives the container ARN, log driver and cluster ARN; v3 the cluster name and neither of the others', () => {
    const t = task();
    const containers = metadataContainers(t, new Map([['d1', info('d1', 'ecs-web-3-app-1', '172.17.0.5')]]));
    const v4 = containerMetadata(4, t, containers[0]!);
    assert.equal(v4.ContainerARN, 'arn:aws:ecs:us-east-1:123456789012:container/prod/0123/c-1');
    assert.equal(v4.LogDriver, 'json-file');
    assert.deepEqual(v4.Networks, [{ NetworkMode: 'bridge', IPv4Addresses: ['172.17.0.5'] }]);
    assert.deepEqual(v4.Limits, { CPU: 256, Memory: 512 });
    assert.equal(v4.CreatedAt, new Date(500).toISOString());
    const v3 = containerMetadata(3, t, containers[0]!);
    assert.equal(v3.ContainerARN, undefined);
    assert.equal(v3.LogDriver, undefined);
    const whole = taskMetadata(4, t, containers, { availabilityZone: 'us-east-1b', tags: { task: { a: '1' }, containerInstance: {} } });
    assert.equal(whole.Cluster, CLUSTER);
    assert.equal(whole.Revision, '3');
    assert.deepEqual(whole.Limits, { CPU: 0.5, Memory: 1024 });
    assert.deepEqual(whole.TaskTags, { a: '1' });
    assert.equal(taskMetadata(3, t, containers, { availabilityZone: 'us-east-1b' }).Cluster, 'prod');
  });

  it('an awsvpc task lists its pause container and its interface with the subnet and gateway', () => {
    const t: TaskModel = {
      ...task({
        networkInterface: {
          networkInterfaceId: 'eni-1', subnetId: 'subnet-1', subnetCidr: '10.0.1.0/24', vpcCidr: '10.0.0.0/16', privateIpAddress: '10.0.1.7',
          macAddress: '02:00:00:00:00:01', gateway: '10.0.1.1', firewall: { ingress: [], egress: [] },
        },
      }),
      network: { known: 'READY', pauseId: 'p1' },
    };
    const containers = metadataContainers(t, new Map([['d1', info('d1', 'app')], ['p1', info('p1', 'pause')]]));
    const whole = taskMetadata(4, t, containers, { availabilityZone: 'us-east-1a' }) as { Containers: Record<string, any>[] };
    const pause = whole.Containers.find((c) => c.Type === 'CNI_PAUSE')!;
    assert.equal(pause.Name, '~internal~ecs~pause');
    assert.equal(pause.KnownStatus, 'RESOURCES_PROVISIONED');
    const app = whole.Containers.find((c) => c.Name === 'app')!;
    assert.deepEqual(app.Networks[0], {
      NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.1.7'], AttachmentIndex: 0, MACAddress: '02:00:00:00:00:01', IPv4SubnetCIDRBlock: '10.0.1.0/24',
      PrivateDNSName: 'ip-10-0-1-7.ec2.internal', SubnetGatewayIpv4Address: '10.0.1.1/24',
    });
  });
});
