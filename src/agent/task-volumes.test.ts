/** The pure mapping of a task's volumes and namespaces to Docker's. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, Volume } from '@aws-sdk/client-ecs';
import { LABEL } from './container-config.ts';
import {
  TASK_VOLUME_LABEL, containerMounts, namespaceModes, namespacePauseOptions, sharedVolumeDecision, taskVolumeName, volumeSources, volumesFromCreated,
  type VolumeSource,
} from './task-volumes.ts';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/default/abc';
const mount = (sourceVolume: string, containerPath: string, readOnly?: boolean) => ({ sourceVolume, containerPath, ...(readOnly !== undefined && { readOnly }) });
const ctx = (volumes: Volume[], containers: ContainerDefinition[], existing: { name: string; labels: Record<string, string> }[] = []) => ({
  taskArn: ARN, agentId: 'agent-1', randomHex: () => 'f'.repeat(20),
  spec: { family: 'web', revision: 4, volumes, containers },
  existing: existing.map((e) => ({ ...e, driver: 'local', options: {} })),
});
const own = (name: string) => ({ [LABEL.taskArn]: ARN, [LABEL.agentId]: 'agent-1', [TASK_VOLUME_LABEL]: name });

describe('volumeSources', () => {
  it('binds host paths as they are, and makes a local volume for an empty host volume a container mounts', () => {
    const sources = volumeSources(ctx(
      [{ name: 'logs', host: { sourcePath: '/var/log/app' } }, { name: 'scratch', host: {} }, { name: 'plain' }, { name: 'unused' }],
      [{ name: 'app', mountPoints: [mount('logs', '/logs'), mount('scratch', '/scratch'), mount('plain', '/plain')] }],
    ));
    assert.deepEqual(sources, [
      { name: 'logs', kind: 'bind', hostPath: '/var/log/app' },
      { name: 'scratch', kind: 'task', create: { Name: 'ecs-web-4-scratch-ffffffffffffffffffff', Driver: 'local', Labels: own('scratch') } },
      { name: 'plain', kind: 'task', create: { Name: 'ecs-web-4-plain-ffffffffffffffffffff', Driver: 'local', Labels: own('plain') } },
    ], 'a volume no container mounts needs nothing');
  });

  it('makes task-scoped Docker volumes with their driver, options and labels, and keeps shared ones under their own name', () => {
    const sources = volumeSources(ctx([
      { name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs' }, labels: { team: 'a' } } },
      { name: 'models', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, labels: { team: 'a' } } },
      { name: 'fixed', dockerVolumeConfiguration: { scope: 'shared' } },
    ], []));
    assert.deepEqual(sources, [
      { name: 'cache', kind: 'task', create: { Name: 'ecs-web-4-cache-ffffffffffffffffffff', Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' }, Labels: { team: 'a', ...own('cache') } } },
      { name: 'models', kind: 'shared', autoprovision: true, create: { Name: 'models', Driver: 'local', Labels: { team: 'a' } } },
      { name: 'fixed', kind: 'shared', autoprovision: false, create: { Name: 'fixed', Driver: 'local' } },
    ]);
  });

  it('reuses the volume made for the task before a restart, found by its labels', () => {
    const [source] = volumeSources(ctx([{ name: 'data', host: {} }], [{ name: 'app', mountPoints: [mount('data', '/data')] }],
      [{ name: 'ecs-web-4-data-0123456789abcdef0123', labels: own('data') }]));
    assert.equal(source?.kind === 'task' && source.create.Name, 'ecs-web-4-data-0123456789abcdef0123');
  });

  it('names volumes as the ECS agent does', () => {
    assert.equal(taskVolumeName('web', 12, 'data', 'abc'), 'ecs-web-12-data-abc');
  });
});

describe('sharedVolumeDecision', () => {
  const shared = (autoprovision: boolean, over: Partial<Extract<VolumeSource, { kind: 'shared' }>['create']> = {}) =>
    ({ name: 'models', kind: 'shared' as const, autoprovision, create: { Name: 'models', Driver: 'local', ...over } });
  const found = (over = {}) => ({ name: 'models', driver: 'local', labels: {}, options: {}, ...over });

  it('creates a missing volume only with autoprovision, and says why not without', () => {
    assert.deepEqual(sharedVolumeDecision(shared(true), undefined), { action: 'create' });
    assert.deepEqual(sharedVolumeDecision(shared(false), undefined),
      { error: "initialize volume: volume detection failed, volume 'models' does not exist and autoprovision is set to false" });
  });

  it('uses an existing volume; with autoprovision its driver, labels and options must be the ones asked for', () => {
    assert.deepEqual(sharedVolumeDecision(shared(false, { Labels: { a: '1' } }), found({ driver: 'other' })), { action: 'use' });
    assert.deepEqual(sharedVolumeDecision(shared(true, { Labels: { a: '1' }, DriverOpts: { o: 'x' } }), found({ labels: { a: '1' }, options: { o: 'x' } })), { action: 'use' });
    assert.deepEqual(sharedVolumeDecision(shared(true), found({ driver: 'rexray' })),
      { error: 'initialize volume: autoprovisioned volume does not match existing volume driver: existing: rexray, expected: local' });
    assert.deepEqual(sharedVolumeDecision(shared(true, { Labels: { b: '2', a: '1' } }), found({ labels: { a: '1' } })),
      { error: 'initialize volume: autoprovisioned volume does not match existing volume labels: existing: map[a:1], expected: map[a:1 b:2]' });
    assert.deepEqual(sharedVolumeDecision(shared(true), found({ options: { type: 'tmpfs' } })),
      { error: 'initialize volume: autoprovisioned volume does not match existing volume options: existing: map[type:tmpfs], expected: map[]' });
  });
});

describe('containerMounts', () => {
  const sources = new Map([['logs', '/var/log/app'], ['data', 'ecs-web-4-data-fff']]);
  it('binds each mount point to its source, read-only as asked, and takes volumes from other containers by Docker name', () => {
    const def = { name: 'app', mountPoints: [mount('logs', '/logs', false), mount('data', '/data', true)], volumesFrom: [{ sourceContainer: 'db', readOnly: true }, { sourceContainer: 'cache' }] };
    assert.deepEqual(containerMounts(def, sources, { db: 'ecs-web-4-db-aaa', cache: 'ecs-web-4-cache-bbb' }), {
      Binds: ['/var/log/app:/logs', 'ecs-web-4-data-fff:/data:ro'],
      VolumesFrom: ['ecs-web-4-db-aaa:ro', 'ecs-web-4-cache-bbb'],
    });
    assert.deepEqual(containerMounts({ name: 'plain' }, sources, {}), {});
  });

  it('refuses a source that is not there rather than create the container without it', () => {
    assert.throws(() => containerMounts({ name: 'app', mountPoints: [mount('nope', '/x')] }, sources, {}), /volume nope/);
    assert.throws(() => containerMounts({ name: 'app', volumesFrom: [{ sourceContainer: 'db' }] }, sources, {}), /container db/);
  });

  it('waits for the containers it takes volumes from to be created', () => {
    const def = { name: 'app', volumesFrom: [{ sourceContainer: 'db' }] };
    assert.equal(volumesFromCreated(def, () => false), false);
    assert.equal(volumesFromCreated(def, (n) => n === 'db'), true);
    assert.equal(volumesFromCreated({ name: 'solo' }, () => false), true);
  });
});

describe('namespaces', () => {
  it('maps pidMode and ipcMode: task joins the namespace pause container, host and none are Docker\'s', () => {
    assert.deepEqual(namespaceModes({ pidMode: 'task', ipcMode: 'task' }, 'p1'), { PidMode: 'container:p1', IpcMode: 'container:p1' });
    assert.deepEqual(namespaceModes({ pidMode: 'host', ipcMode: 'none' }, undefined), { PidMode: 'host', IpcMode: 'none' });
    assert.deepEqual(namespaceModes({ ipcMode: 'host' }, undefined), { IpcMode: 'host' });
    assert.deepEqual(namespaceModes({}, undefined), {});
    assert.throws(() => namespaceModes({ pidMode: 'task' }, undefined), /namespace pause container/);
  });

  it('the namespace pause container has no network and a shareable IPC namespace when the task shares it', () => {
    const spec = { family: 'web', revision: 4, networkMode: 'bridge' as const, containers: [], ipcMode: 'task' as const };
    const o = namespacePauseOptions('wharf/pause:1', { taskArn: ARN, clusterArn: 'c', agentId: 'agent-1', spec, dockerName: 'ecs-web-4-ns-1' });
    assert.deepEqual(o.HostConfig, { NetworkMode: 'none', CpuShares: 2, IpcMode: 'shareable' });
    assert.equal(o.Labels[LABEL.containerName], '~internal~ecs~pause~namespace');
    assert.equal(namespacePauseOptions('p', { taskArn: ARN, clusterArn: 'c', agentId: 'a', spec: { ...spec, ipcMode: undefined, pidMode: 'task' }, dockerName: 'n' }).HostConfig.IpcMode, undefined);
  });
});
