import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { unhonouredFeature } from './task-definition-support.ts';
import { taskDefinitionRecord } from './testing.ts';

const web = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name: 'web', image: 'nginx', memory: 64, ...over });
const td = (containers: ContainerDefinition[], over = {}) => taskDefinitionRecord('web', 1, containers, over);
const refusal = (member: string, what: string, container = 'web', index = 0) =>
  `Wharf does not support ${what} yet: containerDefinitions[${index}].${member} (${container}).`;

describe('unhonouredFeature', () => {
  test('what the agent runs is honoured: ports, env, health checks, local log drivers, capabilities, ulimits', () => {
    const full = web({
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }], environment: [{ name: 'A', value: 'b' }], command: ['nginx'],
      healthCheck: { command: ['CMD', 'true'] }, ulimits: [{ name: 'nofile', softLimit: 1, hardLimit: 2 }], dockerLabels: { a: 'b' },
      linuxParameters: { initProcessEnabled: true, sharedMemorySize: 64, capabilities: { add: ['NET_ADMIN'] } },
      logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } }, restartPolicy: { enabled: false },
      resourceRequirements: [{ type: 'GPU', value: '1' }], dependsOn: [{ containerName: 'side', condition: 'START' }],
    });
    assert.equal(unhonouredFeature(td([full, web({ name: 'side', logConfiguration: { logDriver: 'syslog' } })], { executionRoleArn: 'exec' })), undefined);
  });

  test('secrets, secret log options, registry credentials, awslogs and a task role are honoured', () => {
    const secretive = web({
      secrets: [{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/a' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' }, secretOptions: [{ name: 'a', valueFrom: 'b' }] },
      repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:r-AbCdEf' },
    });
    assert.equal(unhonouredFeature(td([secretive], { executionRoleArn: 'exec', taskRoleArn: 'arn:aws:iam::123456789012:role/app' })), undefined);
  });

  const cases: [string, Partial<ContainerDefinition>, string][] = [
    ['splunk', { logConfiguration: { logDriver: 'splunk' } }, refusal('logConfiguration.logDriver', 'splunk log shipping')],
    ['awsfirelens', { logConfiguration: { logDriver: 'awsfirelens' } }, refusal('logConfiguration.logDriver', 'awsfirelens log shipping')],
    ['environment files', { environmentFiles: [{ value: 'arn:aws:s3:::b/env', type: 's3' }] }, refusal('environmentFiles', 'environment files (they are read from S3, which Wharf does not serve)')],
    ['FireLens', { firelensConfiguration: { type: 'fluentbit' } }, refusal('firelensConfiguration', 'FireLens log routing')],
    ['swap without a memory limit', { memory: undefined, memoryReservation: 64, linuxParameters: { maxSwap: 128 } }, refusal('linuxParameters.maxSwap', 'swap limits without a memory limit')],
    ['a restart policy', { restartPolicy: { enabled: true } }, refusal('restartPolicy', 'container restart policies')],
    ['credential specs', { credentialSpecs: ['credentialspec:file://a.json'] }, refusal('credentialSpecs', 'credential specs')],
  ];
  for (const [what, over, message] of cases) {
    test(`refuses ${what}, naming the member and the container`, () => assert.equal(unhonouredFeature(td([web(over)])), message));
  }

  test('volumes, mount points, volumesFrom and shared PID and IPC namespaces are honoured', () => {
    const volumes = [{ name: 'data', host: { sourcePath: '/srv' } }, { name: 'cache', dockerVolumeConfiguration: { scope: 'shared' as const, autoprovision: true } }];
    const containers = [web({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }), web({ name: 'side', volumesFrom: [{ sourceContainer: 'web' }] })];
    assert.equal(unhonouredFeature(td(containers, { volumes, pidMode: 'task', ipcMode: 'host' })), undefined);
  });

  test('devices, tmpfs mounts, swappiness and swap beside a memory limit are honoured', () => {
    const linux = { devices: [{ hostPath: '/dev/fuse' }], tmpfs: [{ containerPath: '/scratch', size: 64 }], swappiness: 10, maxSwap: 128 };
    assert.equal(unhonouredFeature(td([web({ memory: 128, linuxParameters: linux })])), undefined);
  });

  test('names the first container that uses one, by index and name', () => {
    assert.equal(unhonouredFeature(td([web(), web({ name: 'side', restartPolicy: { enabled: true } })])), refusal('restartPolicy', 'container restart policies', 'side', 1));
  });

  test('refuses the task-level members the agent does not honour', () => {
    assert.equal(unhonouredFeature(td([web()], { volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] })),
      'Wharf does not support EFS volumes yet: volumes[0].efsVolumeConfiguration (data).');
    assert.equal(unhonouredFeature(td([web()], { volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }), { efsVolumes: true }),
      undefined, 'honoured once EFS is wired');
    assert.equal(unhonouredFeature(td([web()], { proxyConfiguration: { containerName: 'web' } })), 'Wharf does not support App Mesh proxies yet: proxyConfiguration.');
  });
});
