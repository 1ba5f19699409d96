import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ContainerDefinition, EFSVolumeConfiguration, Volume } from '@aws-sdk/client-ecs';
import { AwsError } from '../aws/index.ts';
import type { TaskSpec } from '../common/index.ts';
import { checkEfsVolumes, efsPath, resolveEfsVolumes, type EfsPort, type ResolvedEfsVolume } from './efs-volumes.ts';
import { keys } from './records.ts';
import { launchTasks } from './task-launch.ts';
import {
  ecsWorld, instanceRecord, scope, seedCluster, seedInstance, seedTaskDefinition, storedInstance, taskDefinitionRecord, type EcsWorld,
} from './testing.ts';

const FS = 'fs-0123456789abcdef0';
const AP = 'fsap-0123456789abcdef0';
const efsVolume = (c: Partial<EFSVolumeConfiguration> = {}, name = 'data'): Volume => ({ name, efsVolumeConfiguration: { fileSystemId: FS, ...c } });
const app = (over: Partial<ContainerDefinition> = {}): ContainerDefinition =>
  ({ name: 'app', image: 'busybox', memory: 64, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }], ...over });

/** An EFS port over one file system with one access point, recording what it was asked. */
function fakeEfs(allow = true): EfsPort & { asked: [string, string, boolean][] } {
  const asked: [string, string, boolean][] = [];
  return {
    asked,
    async resolve(_scope, fileSystemId, accessPointId): Promise<ResolvedEfsVolume> {
      if (fileSystemId !== FS) throw new AwsError('FileSystemNotFound', `File system '${fileSystemId}' does not exist.`, 404);
      if (accessPointId === undefined) return { fileSystemId };
      if (accessPointId !== AP) throw new AwsError('AccessPointNotFound', `Access point '${accessPointId}' does not exist.`, 404);
      return {
        fileSystemId,
        accessPoint: { accessPointId, rootDirectory: '/apps/one', posixUser: { uid: 1000, gid: 1000 }, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' } },
      };
    },
    async mayMount(roleArn, fileSystemArn, readOnly) {
      asked.push([roleArn, fileSystemArn, readOnly]);
      return allow || readOnly;
    },
  };
}

const spec = (volumes: Volume[], containers = [app()], taskRoleArn?: string): TaskSpec =>
  ({ family: 'f', revision: 1, networkMode: 'bridge', containers, volumes, ...(taskRoleArn && { taskRoleArn }) });

describe('efsPath', () => {
  it('normalises a directory within the file system and refuses to leave it', () => {
    assert.equal(efsPath(undefined), '/');
    assert.equal(efsPath('/'), '/');
    assert.equal(efsPath('a//b/./c/'), '/a/b/c');
    assert.equal(efsPath('/a/../../etc'), undefined);
    assert.equal(efsPath('..'), undefined);
  });
});

describe('checkEfsVolumes', () => {
  const refused = (v: Volume, message: RegExp) => assert.throws(() => checkEfsVolumes([v]), (e: AwsError) => {
    assert.equal(e.code, 'InvalidParameterException');
    assert.match(e.message, message);
    return true;
  });

  it('accepts a plain volume, a root directory, and an access point with transit encryption', () => {
    checkEfsVolumes([efsVolume(), efsVolume({ rootDirectory: '/shared' }, 'b'), { name: 'host', host: {} }]);
    checkEfsVolumes([efsVolume({ rootDirectory: '/', transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: AP, iam: 'ENABLED' } })]);
  });
  it('refuses a root directory beside an access point, naming the volume', () => {
    refused(efsVolume({ rootDirectory: '/x', transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: AP } }),
      /^volumes\[0\]\.efsVolumeConfiguration \(data\): the root directory parameter must either be omitted or set to \//);
  });
  it('refuses an access point or IAM authorization without transit encryption', () => {
    refused(efsVolume({ authorizationConfig: { accessPointId: AP } }), /transit encryption must be enabled/);
    refused(efsVolume({ transitEncryption: 'DISABLED', authorizationConfig: { iam: 'ENABLED' } }), /transit encryption must be enabled/);
  });
  it("refuses a root directory with '..'", () => refused(efsVolume({ rootDirectory: '/a/../..' }), /must not contain '\.\.'/));
});

describe('resolveEfsVolumes', () => {
  it("gives the access point's root directory, else the volume's, else /", async () => {
    const got = await resolveEfsVolumes(fakeEfs(), scope, spec([
      efsVolume({ transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: AP } }),
      efsVolume({ rootDirectory: 'shared/./x' }, 'plain'),
      efsVolume({}, 'whole'),
      { name: 'scratch', host: {} },
    ]));
    assert.deepEqual(got, {
      efsVolumes: {
        data: { fileSystemId: FS, rootDirectory: '/apps/one', accessPoint: (await fakeEfs().resolve(scope, FS, AP)).accessPoint },
        plain: { fileSystemId: FS, rootDirectory: '/shared/x' },
        whole: { fileSystemId: FS, rootDirectory: '/' },
      },
    });
  });

  it('fails the task, in the words of the mount helper, for a missing file system or access point', async () => {
    const missing = await resolveEfsVolumes(fakeEfs(), scope, spec([efsVolume({ fileSystemId: 'fs-00000000' })]));
    assert.deepEqual(missing, {
      failure: 'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve '
        + '"fs-00000000.efs.us-east-1.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS '
        + 'mount target for this file system ID. : unsuccessful EFS utils command execution; code: 1',
    });
    const ap = await resolveEfsVolumes(fakeEfs(), scope, spec([efsVolume({ transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: 'fsap-00000000' } })]));
    assert.ok('failure' in ap);
    assert.match(ap.failure, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: AccessPointNotFound: /);
  });

  it('lets errors other than the EFS domain\'s refusals through', async () => {
    const broken: EfsPort = { resolve: () => Promise.reject(new Error('store unavailable')) };
    await assert.rejects(resolveEfsVolumes(broken, scope, spec([efsVolume()])), /store unavailable/);
  });

  it('asks IAM for ClientWrite unless every mount point of the volume is readOnly', async () => {
    const role = 'arn:aws:iam::123456789012:role/app';
    const iam = efsVolume({ transitEncryption: 'ENABLED', authorizationConfig: { iam: 'ENABLED' } });
    const efs = fakeEfs(false);
    const readOnly = [app({ mountPoints: [{ sourceVolume: 'data', containerPath: '/d', readOnly: true }] })];
    assert.ok('efsVolumes' in await resolveEfsVolumes(efs, scope, spec([iam], readOnly, role)));
    const denied = await resolveEfsVolumes(efs, scope, spec([iam], [...readOnly, app({ name: 'writer' })], role));
    assert.deepEqual(efs.asked, [
      [role, `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS}`, true],
      [role, `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS}`, false],
    ]);
    assert.deepEqual(denied, {
      failure: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server "
        + "while mounting 127.0.0.1:/' : unsuccessful EFS utils command execution; code: 32",
    });
    const noRole = await resolveEfsVolumes(efs, scope, spec([iam]));
    assert.ok('failure' in noRole && /no task role/.test(noRole.failure));
  });
});

describe('launching tasks with EFS volumes', () => {
  let w: EcsWorld;
  beforeEach(async () => {
    w = ecsWorld();
    await seedCluster(w.store, 'default');
    await seedInstance(w.store, instanceRecord('default', 'i1'));
  });
  afterEach(async () => {
    w.deps.informers.close();
    await w.store.close();
  });

  const run = (family: string) => launchTasks(w.deps, scope, {
    clusterRef: 'default', taskDefinitionRef: `${family}:1`, enableExecuteCommand: false, constraints: [], strategy: [], overrides: {},
  }, 1);

  it('refuses them while EFS is not wired, as before', async () => {
    await seedTaskDefinition(w.store, taskDefinitionRecord('shared', 1, [app()], { volumes: [efsVolume()] }));
    await assert.rejects(run('shared'), /Wharf does not support EFS volumes yet: volumes\[0\]\.efsVolumeConfiguration \(data\)\./);
  });

  it("puts the resolved volumes in the task's spec", async () => {
    w.deps.efs = fakeEfs();
    await seedTaskDefinition(w.store, taskDefinitionRecord('shared', 1, [app()], { volumes: [efsVolume({ rootDirectory: '/x' })] }));
    const { tasks: [task] } = await run('shared');
    assert.equal(task!.lastStatus, 'PENDING');
    assert.deepEqual(task!.spec.efsVolumes, { data: { fileSystemId: FS, rootDirectory: '/x' } });
    assert.equal((await storedInstance(w.store, 'default', 'i1')).remainingResources.memory, 2048 - 64);
  });

  it('creates a task that cannot mount its volume STOPPED (TaskFailedToStart), holding nothing on its instance', async () => {
    w.deps.efs = fakeEfs();
    await seedTaskDefinition(w.store, taskDefinitionRecord('lost', 1, [app()], { volumes: [efsVolume({ fileSystemId: 'fs-00000000' })] }));
    const { tasks: [task], failures } = await run('lost');
    assert.deepEqual(failures, []);
    assert.equal(task!.lastStatus, 'STOPPED');
    assert.equal(task!.desiredStatus, 'STOPPED');
    assert.equal(task!.stopCode, 'TaskFailedToStart');
    assert.match(task!.stoppedReason!, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-00000000/);
    assert.equal(task!.containers[0]!.lastStatus, 'STOPPED');
    assert.ok(task!.stoppedAt !== undefined);
    const instance = await storedInstance(w.store, 'default', 'i1');
    assert.equal(instance.remainingResources.memory, 2048);
    assert.deepEqual(instance.taskGroups ?? {}, {});
    assert.ok(await w.store.get(keys.task(scope, 'default', task!.id)));
  });

  it('refuses a task definition that breaks ECS\'s rules (InvalidParameterException)', async () => {
    w.deps.efs = fakeEfs();
    await seedTaskDefinition(w.store, taskDefinitionRecord('bad', 1, [app()], { volumes: [efsVolume({ authorizationConfig: { accessPointId: AP } })] }));
    await assert.rejects(run('bad'), (e: AwsError) => e.code === 'InvalidParameterException' && /transit encryption/.test(e.message));
  });
});
