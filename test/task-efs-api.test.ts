/**
 * EFS end to end on `wharf dev` (its EFS directory under its data dir), through
 * @aws-sdk/client-efs, client-iam and client-ecs with real containers: a file system and an
 * access point made with the EFS API, tasks sharing files through it (its root directory made with
 * its CreationInfo), and `iam: ENABLED` decided by the task role's policies — ClientMount alone
 * mounts read-only, ClientWrite is needed to mount for writing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccessPointCommand, CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped,
  type ContainerDefinition, type ECSClient, type Task, type Volume,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { credentials, ecsClient, region, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';

const run = Date.now().toString(36);
let wharf: WharfProcess;
let ecs: ECSClient;
let cluster: string;
let clusterArn: string;
let fileSystemId: string;
let accessPointId: string;
const roles = { mountOnly: '', mountWrite: '' };

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  const efs = new EFSClient(options);
  fileSystemId = (await efs.send(new CreateFileSystemCommand({ CreationToken: `data-${run}`, Encrypted: true }))).FileSystemId!;
  accessPointId = (await efs.send(new CreateAccessPointCommand({
    FileSystemId: fileSystemId, PosixUser: { Uid: 1000, Gid: 1000 },
    RootDirectory: { Path: '/apps/data', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0750' } },
  }))).AccessPointId!;
  const iam = new IAMClient(options);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  for (const [key, actions] of [['mountOnly', ['elasticfilesystem:ClientMount']], ['mountWrite', ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']]] as const) {
    const name = `efs-${key}-${run}`;
    roles[key] = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await iam.send(new PutRolePolicyCommand({
      RoleName: name, PolicyName: 'efs',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
    }));
  }
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `efs-api-${run}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

const volume = (iam?: 'ENABLED'): Volume => ({
  name: 'data',
  efsVolumeConfiguration: { fileSystemId, transitEncryption: 'ENABLED', authorizationConfig: { accessPointId, ...(iam && { iam }) } },
});
const box = (script: string, readOnly = false): ContainerDefinition => ({
  name: 'app', image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2, command: ['sh', '-c', script],
  mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly }],
});

async function runToStopped(family: string, container: ContainerDefinition, v: Volume, taskRoleArn?: string): Promise<Task> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `${family}-${run}`, containerDefinitions: [container], volumes: [v], ...(taskRoleArn && { taskRoleArn }) }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${family}-${run}` }));
  assert.deepEqual(failures, []);
  const arn = tasks![0].taskArn!;
  await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

describe('EFS volumes from the EFS API', () => {
  it('tasks share files through an access point, whose root is made with its creation info', async () => {
    const writer = await runToStopped('efs-writer', box(`echo from-${run} > /data/note`), volume());
    assert.equal(writer.containers![0].exitCode, 0, writer.stoppedReason);
    const reader = await runToStopped('efs-reader', box('cat /data/note'), volume());
    assert.equal(reader.containers![0].exitCode, 0, reader.stoppedReason);
    assert.equal(docker('logs', reader.containers![0].runtimeId!), `from-${run}`);
    const root = statSync(join(wharf.dataDir, 'efs', fileSystemId, 'apps', 'data'));
    assert.deepEqual([root.uid, root.gid, (root.mode & 0o7777).toString(8)], [1000, 1000, '750']);
  });

  it('iam ENABLED: the task role needs ClientMount to mount, and ClientWrite to mount for writing', async () => {
    const readOnly = await runToStopped('efs-iam-ro', box('cat /data/note', true), volume('ENABLED'), roles.mountOnly);
    assert.equal(readOnly.containers![0].exitCode, 0, readOnly.stoppedReason);
    const denied = await runToStopped('efs-iam-rw', box('echo x > /data/other'), volume('ENABLED'), roles.mountOnly);
    assert.equal(denied.stopCode, 'TaskFailedToStart');
    assert.match(denied.stoppedReason!, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: .*access denied by server/);
    const written = await runToStopped('efs-iam-w', box('echo y > /data/other'), volume('ENABLED'), roles.mountWrite);
    assert.equal(written.containers![0].exitCode, 0, written.stoppedReason);
  });
});
