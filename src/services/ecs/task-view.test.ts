/** Stored tasks as the API shows them: health left unset in the record shows as UNKNOWN. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TASK_STATUSES, type TaskStatus } from '../../common/index.ts';
import { taskRecord } from './testing.ts';
import { toApiTask } from './task-view.ts';

const container = (name: string, healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN') => ({
  containerArn: `arn:aws:ecs:us-east-1:123456789012:container/c/${name}`, name, image: 'x', lastStatus: 'RUNNING' as const,
  networkBindings: [], essential: true, ...(healthStatus && { healthStatus }),
});

describe('toApiTask health', () => {
  it('shows a task and containers without a stored health as UNKNOWN', () => {
    const api = toApiTask(taskRecord('c', 'a'.repeat(32), { containers: [container('web')] }));
    assert.equal(api.healthStatus, 'UNKNOWN');
    assert.equal(api.containers![0]?.healthStatus, 'UNKNOWN');
  });

  it('shows stored health as it is, UNKNOWN where a container has none', () => {
    const api = toApiTask(taskRecord('c', 'b'.repeat(32), {
      healthStatus: 'UNHEALTHY', containers: [container('web', 'UNHEALTHY'), container('log', 'HEALTHY'), container('plain')],
    }));
    assert.equal(api.healthStatus, 'UNHEALTHY');
    assert.deepEqual(api.containers!.map((c) => c.healthStatus), ['UNHEALTHY', 'HEALTHY', 'UNKNOWN']);
  });
});

describe('toApiTask of an awsvpc task', () => {
  const eni = {
    attachmentId: '00000000-0000-4000-8000-000000000001', networkInterfaceId: 'eni-0123456789abcdef0', subnetId: 'subnet-0123456789abcdef0',
    availabilityZone: 'us-east-1a', vpcId: 'vpc-0123456789abcdef0', subnetCidr: '10.0.1.0/24', vpcCidr: '10.0.0.0/16', privateIPv4Address: '10.0.1.4',
    macAddress: '0a:01:02:03:04:05', privateDnsName: 'ip-10-0-1-4.ec2.internal', securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: false,
  };
  const awsvpc = (lastStatus: TaskStatus) => toApiTask(taskRecord('c', 'e'.repeat(32), { lastStatus, eni, containers: [container('web'), container('log')] }));

  it('the attachment\'s status follows the task: PRECREATED, ATTACHED, DETACHING, DELETED', () => {
    const statuses = TASK_STATUSES.map((s) => [s, awsvpc(s).attachments![0]!.status]);
    assert.deepEqual(statuses, [
      ['PROVISIONING', 'PRECREATED'], ['PENDING', 'ATTACHED'], ['ACTIVATING', 'ATTACHED'], ['RUNNING', 'ATTACHED'],
      ['DEACTIVATING', 'DETACHING'], ['STOPPING', 'DETACHING'], ['DEPROVISIONING', 'DETACHING'], ['STOPPED', 'DELETED'],
    ]);
  });

  it('shows the ElasticNetworkInterface attachment\'s details as ECS names them', () => {
    assert.deepEqual(awsvpc('RUNNING').attachments, [{
      id: eni.attachmentId, type: 'ElasticNetworkInterface', status: 'ATTACHED',
      details: [
        { name: 'subnetId', value: eni.subnetId },
        { name: 'networkInterfaceId', value: eni.networkInterfaceId },
        { name: 'macAddress', value: eni.macAddress },
        { name: 'privateDnsName', value: eni.privateDnsName },
        { name: 'privateIPv4Address', value: '10.0.1.4' },
      ],
    }]);
  });

  it('every container shows the task\'s interface', () => {
    assert.deepEqual(awsvpc('RUNNING').containers!.map((c) => c.networkInterfaces), [
      [{ attachmentId: eni.attachmentId, privateIpv4Address: '10.0.1.4' }], [{ attachmentId: eni.attachmentId, privateIpv4Address: '10.0.1.4' }],
    ]);
  });

  it('a task without an interface shows no attachment and no container interfaces', () => {
    const api = toApiTask(taskRecord('c', 'f'.repeat(32), { containers: [container('web')] }));
    assert.deepEqual(api.attachments, []);
    assert.deepEqual(api.containers![0]!.networkInterfaces, []);
  });
});
