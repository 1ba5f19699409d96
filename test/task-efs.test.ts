/**
 * EFS volumes through @aws-sdk/client-ecs against a control plane with EFS wired (in this process,
 * over an EFS port holding one file system and one access point) and two real `wharf agent`s on
 * this host sharing one EFS directory, with real Docker: two tasks, one on each agent, share
 * files through the access point, whose root directory is created with its CreationInfo; a
 * readOnly mount point stays read-only; a missing file system fails the task as ECS does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StartTaskCommand,
  waitUntilTasksStopped, type ContainerDefinition, type ECSClient, type Task, type Volume,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../src/aws/index.ts';
import { startControlPlane, type ControlPlane } from '../src/cli/control-plane.ts';
import type { EfsPort } from '../src/ecs/index.ts';
import { waitUntil } from '../src/agent/testing.ts';
import { awsCliEnv, cleanedUpAfter, ecsClient, region, rootKeyEnv, spawnWharf, tempDir } from './support/wharf.ts';
import { TEST_IMAGE } from './support/docker.ts';

const FS = 'fs-0a1b2c3d4e5f60718';
const AP = 'fsap-0a1b2c3d4e5f60718';
const run = Date.now().toString(36);
const started = cleanedUpAfter();
const efsDir = tempDir('wharf-efs-');
let plane: ControlPlane;
let ecs: ECSClient;
let cluster: string;
let instances: string[] = [];

/** The EFS domain as the launch sees it: one file system with one access point (PosixUser 1000:1000, CreationInfo 1000/1000/0750). */
const efs: EfsPort = {
  async resolve(_scope, fileSystemId, accessPointId) {
    if (fileSystemId !== FS) throw new AwsError('FileSystemNotFound', `File system '${fileSystemId}' does not exist.`, 404);
    if (accessPointId === undefined) return { fileSystemId };
    if (accessPointId !== AP) throw new AwsError('AccessPointNotFound', `Access point '${accessPointId}' does not exist.`, 404);
    return {
      fileSystemId,
      accessPoint: {
        accessPointId, rootDirectory: '/apps/shared', posixUser: { uid: 1000, gid: 1000 },
        creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' },
      },
    };
  },
};

before(async () => {
  plane = await startControlPlane({
    host: '127.0.0.1', port: 0, dataDir: tempDir(), account: '123456789012', region, allowReset: false,
    unknownKeysAsRoot: false, env: rootKeyEnv, log: () => undefined, efs,
  });
  ecs = ecsClient(plane.url);
  const { cluster: c } = await ecs.send(new CreateClusterCommand({ clusterName: `efs-${run}` }));
  cluster = c!.clusterName!;
  started.clusterArns.push(c!.clusterArn!);
  for (const n of [1, 2]) {
    started.processes.push(await spawnWharf(
      ['agent', '--server', plane.url, '--cluster', cluster, '--data-dir', tempDir(), '--efs-dir', efsDir, '--task-cleanup-wait', '5'],
      /agent .* started/,
      awsCliEnv, // the agents sign their links with the tests' root key
    ));
  }
  instances = await waitUntil('both agents registered', async () => {
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
    return arns.length === 2 ? arns : undefined;
  }, 30_000);
});

// After cleanedUpAfter's hook (registered first) has stopped the agents and removed their containers.
after(() => plane?.stop());

const sh = (script: string) => ['sh', '-c', script];
const box = (script: string, mountPoints: ContainerDefinition['mountPoints']): ContainerDefinition =>
  ({ name: 'app', image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2, command: sh(script), mountPoints });
const throughAccessPoint: Volume = {
  name: 'shared', efsVolumeConfiguration: { fileSystemId: FS, transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: AP } },
};

async function register(family: string, container: ContainerDefinition, volume: Volume): Promise<string> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `${family}-${run}`, containerDefinitions: [container], volumes: [volume] }));
  return `${family}-${run}`;
}

async function stopped(arn: string): Promise<Task> {
  await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
}

/** Starts one task of `family` on container instance `n` and waits for it to stop. */
async function startOn(n: number, family: string): Promise<Task> {
  const { tasks, failures } = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: family, containerInstances: [instances[n]!] }));
  assert.deepEqual(failures, []);
  return stopped(tasks![0]!.taskArn!);
}

describe('EFS volumes', () => {
  it("two tasks on two agents share files through one access point, whose root directory is created with its CreationInfo", async () => {
    const writer = await register('efs-writer', box('echo "from one" > /data/note', [{ sourceVolume: 'shared', containerPath: '/data' }]), throughAccessPoint);
    const reader = await register('efs-reader', box('test "$(cat /data/note)" = "from one" || exit 9', [{ sourceVolume: 'shared', containerPath: '/data' }]), throughAccessPoint);
    const wrote = await startOn(0, writer);
    assert.equal(wrote.containers![0]!.exitCode, 0, wrote.stoppedReason);
    const root = join(efsDir, FS, 'apps/shared');
    const st = statSync(root);
    assert.deepEqual([st.uid, st.gid, (st.mode & 0o7777).toString(8)], [1000, 1000, '750'], "the access point's CreationInfo");
    assert.equal(readFileSync(join(root, 'note'), 'utf8'), 'from one\n');
    const read = await startOn(1, reader);
    assert.notEqual(read.containerInstanceArn, wrote.containerInstanceArn);
    assert.equal(read.containers![0]!.exitCode, 0, 'the task on the other agent read what the first wrote');
  });

  it('a readOnly mount point stays read-only', async () => {
    const family = await register('efs-readonly', box('if touch /data/written 2>/dev/null; then exit 7; fi; cat /data/note', [
      { sourceVolume: 'shared', containerPath: '/data', readOnly: true },
    ]), throughAccessPoint);
    const task = await startOn(1, family);
    assert.equal(task.containers![0]!.exitCode, 0, 'the write was refused and the file read');
    assert.equal(existsSync(join(efsDir, FS, 'apps/shared/written')), false);
  });

  it('a missing file system: RunTask succeeds and the task stops with ECS\'s ResourceInitializationError', async () => {
    const family = await register('efs-missing', box('true', [{ sourceVolume: 'gone', containerPath: '/data' }]),
      { name: 'gone', efsVolumeConfiguration: { fileSystemId: 'fs-00000000' } });
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    assert.deepEqual(failures, []);
    const task = await stopped(tasks![0]!.taskArn!);
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.match(task.stoppedReason!, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-00000000\.efs\.us-east-1\.amazonaws\.com"/);
    assert.equal(existsSync(join(efsDir, 'fs-00000000')), false);
  });
});
