/** A task's volumes and namespaces through the task engine, on the fake runtime. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TaskStateChange } from '../common/index.ts';
import { LABEL } from './container-config.ts';
import { FakeRuntime } from './fake-runtime.testing.ts';
import { TASK_VOLUME_LABEL } from './task-volumes.ts';
import { desiredTask, startEngine, waitUntil } from './testing.ts';

const IMAGE = 'wharf-test/busybox:latest';
const AGENT = 'agent-volumes';
const fake = () => new FakeRuntime({ images: [IMAGE], timeScale: 0.01 });
const stopped = (c: TaskStateChange) => c.lastStatus === 'STOPPED';
const running = (c: TaskStateChange) => c.lastStatus === 'RUNNING';

describe('task volumes (fake runtime)', () => {
  it('shares a task volume between containers, mounts volumesFrom, and removes the volume at cleanup but not the shared one', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT, cleanupWaitMs: 50 });
    const t = desiredTask('shared-volume', [
      { name: 'writer', image: IMAGE, command: ['sleep', '1000'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }, { sourceVolume: 'models', containerPath: '/models', readOnly: true }] },
      { name: 'reader', image: IMAGE, command: ['sleep', '1000'], volumesFrom: [{ sourceContainer: 'writer', readOnly: true }] },
    ]);
    t.spec.volumes = [{ name: 'data', host: {} }, { name: 'models', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } }];
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    const [writer, reader] = up.containers;

    const [volume, ...more] = await rt.listVolumes({ [LABEL.taskArn]: t.taskArn, [LABEL.agentId]: AGENT });
    assert.equal(more.length, 0, 'one volume made for the task; the shared one is not the task\'s');
    assert.match(volume!.name, /^ecs-wharf-test-1-data-[0-9a-f]{20}$/);
    assert.equal(volume!.labels[TASK_VOLUME_LABEL], 'data');
    assert.equal((await rt.inspectVolume('models'))?.driver, 'local', 'the shared volume was autoprovisioned');
    const writerName = (await rt.inspectContainer(writer!.runtimeId!))!.name;
    assert.deepEqual(rt.createOptions(writer!.runtimeId!)!.HostConfig.Binds, [`${volume!.name}:/data`, 'models:/models:ro']);
    assert.deepEqual(rt.createOptions(reader!.runtimeId!)!.HostConfig.VolumesFrom, [`${writerName}:ro`]);

    h.engine.applyTasks([{ ...t, desiredStatus: 'STOPPED' }], false);
    await h.waitFor(t.taskArn, stopped);
    await waitUntil('the task volume is removed', async () => (await rt.inspectVolume(volume!.name)) === undefined);
    assert.ok(await rt.inspectVolume('models'), 'the shared volume outlives the task');
    await h.engine.close();
  });

  it('a missing shared volume without autoprovision fails the task in ECS\'s words', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('no-autoprovision', [{ name: 'app', image: IMAGE, command: ['sleep', '1000'], mountPoints: [{ sourceVolume: 'db', containerPath: '/db' }] }]);
    t.spec.volumes = [{ name: 'db', dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }];
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.equal(down.stoppedReason, "initialize volume: volume detection failed, volume 'db' does not exist and autoprovision is set to false");
    assert.equal(rt.calls.create, 0, 'no container was created');
    await h.engine.close();
  });

  it('pidMode task needs a namespace pause container: a host that cannot hold one fails the task', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('pid-task', [{ name: 'app', image: IMAGE, command: ['sleep', '1000'] }]);
    t.spec.pidMode = 'task';
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.match(down.stoppedReason ?? '', /^ResourceInitializationError: failed to set up the task's namespaces: /);
    await h.engine.close();
  });

  it('pidMode host and ipcMode none go to Docker as they are', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('pid-host', [{ name: 'app', image: IMAGE, command: ['sleep', '1000'] }]);
    Object.assign(t.spec, { pidMode: 'host', ipcMode: 'none' });
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    const host = rt.createOptions(up.containers[0]!.runtimeId!)!.HostConfig;
    assert.deepEqual([host.PidMode, host.IpcMode], ['host', 'none']);
    h.engine.applyTasks([{ ...t, desiredStatus: 'STOPPED' }], false);
    await h.waitFor(t.taskArn, stopped);
    await h.engine.close();
  });
});

describe('EFS volumes (fake runtime)', () => {
  const FS = 'fs-0123456789abcdef0';
  const efsDir = () => mkdtempSync(join(tmpdir(), 'wharf-efs-'));

  it("binds <efsDir>/<fileSystemId>/<root directory>, readOnly where the mount point says, creating the access point's root", async () => {
    const rt = fake();
    const dir = efsDir();
    const h = await startEngine(rt, { agentId: AGENT, efsDir: dir });
    const t = desiredTask('efs', [{
      name: 'app', image: IMAGE, command: ['sleep', '1000'],
      mountPoints: [{ sourceVolume: 'shared', containerPath: '/shared' }, { sourceVolume: 'config', containerPath: '/config', readOnly: true }],
    }]);
    t.spec.volumes = [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: FS } }, { name: 'config', efsVolumeConfiguration: { fileSystemId: FS } }];
    t.spec.efsVolumes = {
      shared: {
        fileSystemId: FS, rootDirectory: '/apps/one',
        accessPoint: { accessPointId: 'fsap-1', rootDirectory: '/apps/one', creationInfo: { ownerUid: process.getuid!(), ownerGid: process.getgid!(), permissions: '0750' } },
      },
      config: { fileSystemId: FS, rootDirectory: '/' },
    };
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    assert.deepEqual(rt.createOptions(up.containers[0]!.runtimeId!)!.HostConfig.Binds, [`${dir}/${FS}/apps/one:/shared`, `${dir}/${FS}:/config:ro`]);
    assert.equal(statSync(join(dir, FS, 'apps/one')).mode & 0o777, 0o750);
    await h.engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a missing root directory without CreationInfo fails the task in ECS\'s words, before any container', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT, efsDir: efsDir() });
    const t = desiredTask('efs-missing', [{ name: 'app', image: IMAGE, command: ['sleep', '1000'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }]);
    t.spec.volumes = [{ name: 'data', efsVolumeConfiguration: { fileSystemId: FS } }];
    t.spec.efsVolumes = { data: { fileSystemId: FS, rootDirectory: '/gone', accessPoint: { accessPointId: 'fsap-1', rootDirectory: '/gone' } } };
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.equal(down.stoppedReason, "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful EFS utils command execution; code: 32");
    assert.equal(rt.calls.create, 0, 'no container was created');
    await h.engine.close();
  });

  it('an agent without an EFS directory fails such a task', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('efs-nowhere', [{ name: 'app', image: IMAGE, command: ['sleep', '1000'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }]);
    t.spec.volumes = [{ name: 'data', efsVolumeConfiguration: { fileSystemId: FS } }];
    t.spec.efsVolumes = { data: { fileSystemId: FS, rootDirectory: '/' } };
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.match(down.stoppedReason!, /^ResourceInitializationError: .*no EFS directory/);
    await h.engine.close();
  });
});
