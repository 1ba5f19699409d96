/**
 * ECS task volumes through @aws-sdk/client-ecs against a real `wharf dev` and real Docker: a
 * task-scoped volume two containers share (gone after the task's cleanup), a bind mount of a
 * host directory, readOnly, a shared Docker volume that outlives its task, volumesFrom, pidMode
 * task, and the RegisterTaskDefinition errors ECS gives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped,
  type ContainerDefinition, type ECSClient, type RegisterTaskDefinitionCommandInput, type Task, type Volume,
} from '@aws-sdk/client-ecs';
import { ecsClient, startDev, tempDir, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { waitUntil } from '../src/agent/testing.ts';

/** Seconds the dev agent keeps a stopped task's containers (and task volumes). */
const CLEANUP_WAIT_S = 6;
const run = Date.now().toString(36);
let wharf: WharfProcess;
let ecs: ECSClient;
let cluster: string;
let clusterArn: string;
const taskArns: string[] = [];
const sharedVolumes: string[] = [];

before(async () => {
  wharf = await startDev(tempDir(), ['--task-cleanup-wait', String(CLEANUP_WAIT_S)]);
  ecs = ecsClient(wharf.url);
  const { cluster: c } = await ecs.send(new CreateClusterCommand({ clusterName: `volumes-${run}` }));
  cluster = c!.clusterName!;
  clusterArn = c!.clusterArn!;
});

after(async () => {
  await wharf?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
  for (const arn of taskArns) {
    const left = docker('volume', 'ls', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`);
    if (left) docker('volume', 'rm', '-f', ...left.split('\n'));
  }
  for (const name of sharedVolumes) docker('volume', 'rm', '-f', name);
});

const sh = (script: string) => ['sh', '-c', script];
const box = (name: string, script: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition =>
  ({ name, image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2, command: sh(script), ...over });

/** Registers `family` and runs one task of it to STOPPED; returns the stopped task. */
async function runToStopped(family: string, containerDefinitions: ContainerDefinition[], extra: Partial<RegisterTaskDefinitionCommandInput> = {}): Promise<Task> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `${family}-${run}`, containerDefinitions, ...extra }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${family}-${run}` }));
  assert.deepEqual(failures, []);
  const arn = tasks![0].taskArn!;
  taskArns.push(arn);
  await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

const exitCodes = (t: Task) => Object.fromEntries(t.containers!.map((c) => [c.name, c.exitCode]));
const taskVolumes = (arn: string) => docker('volume', 'ls', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`);
const containersOf = (arn: string) => docker('ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`);
const cleanedUp = (arn: string) => waitUntil(`cleanup of ${arn}`, () => containersOf(arn) === '', (CLEANUP_WAIT_S + 30) * 1000);

describe('task volumes', () => {
  it("two containers share a task-scoped volume, which is gone after the task's cleanup", async () => {
    const task = await runToStopped('share', [
      box('writer', 'echo shared > /data/f', { essential: false, mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }] }),
      box('reader', 'test "$(cat /data/f)" = shared || exit 9', {
        mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }], dependsOn: [{ containerName: 'writer', condition: 'SUCCESS' }],
      }),
    ], { volumes: [{ name: 'scratch', host: {} }] });
    assert.deepEqual(exitCodes(task), { writer: 0, reader: 0 }, 'the reader saw what the writer wrote');
    assert.equal(task.stopCode, 'EssentialContainerExited');
    const volume = taskVolumes(task.taskArn!);
    assert.match(volume, new RegExp(`^ecs-share-${run}-1-scratch-[0-9a-f]{20}$`), 'one volume, named as ECS names it');
    await cleanedUp(task.taskArn!);
    await waitUntil('the task volume is removed', () => taskVolumes(task.taskArn!) === '', 10_000);
  });

  it('binds a host directory (created when missing) and enforces readOnly', async () => {
    const dir = join(tempDir(), 'bound');
    const task = await runToStopped('bind', [
      box('rw', 'echo from-task > /host/out', { essential: false, mountPoints: [{ sourceVolume: 'host', containerPath: '/host' }] }),
      box('ro', 'test "$(cat /ro/out)" = from-task || exit 8; if echo x > /ro/other; then exit 7; fi; exit 0', {
        mountPoints: [{ sourceVolume: 'host', containerPath: '/ro', readOnly: true }], dependsOn: [{ containerName: 'rw', condition: 'SUCCESS' }],
      }),
    ], { volumes: [{ name: 'host', host: { sourcePath: dir } }] });
    assert.deepEqual(exitCodes(task), { rw: 0, ro: 0 }, 'the read-only mount was readable and refused a write');
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'from-task\n');
    assert.equal(existsSync(join(dir, 'other')), false);
  });

  it("a shared Docker volume outlives its task and the next task sees the first one's file", async () => {
    const name = `wharf-test-shared-${run}`;
    sharedVolumes.push(name);
    const volumes: Volume[] = [{ name, dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, labels: { suite: 'volumes' } } }];
    const first = await runToStopped('shared-write', [box('app', 'echo kept > /v/f', { mountPoints: [{ sourceVolume: name, containerPath: '/v' }] })], { volumes });
    assert.deepEqual(exitCodes(first), { app: 0 });
    await cleanedUp(first.taskArn!);
    assert.equal(docker('volume', 'inspect', '-f', '{{.Labels.suite}}', name), 'volumes', 'the volume is still there after the cleanup');
    const second = await runToStopped('shared-read', [box('app', 'test "$(cat /v/f)" = kept || exit 9', { mountPoints: [{ sourceVolume: name, containerPath: '/v' }] })], { volumes });
    assert.deepEqual(exitCodes(second), { app: 0 });
  });

  it('a shared volume that is missing without autoprovision fails the task, as ECS says', async () => {
    const name = `wharf-test-missing-${run}`;
    const task = await runToStopped('no-autoprovision', [box('app', 'true', { mountPoints: [{ sourceVolume: name, containerPath: '/v' }] })],
      { volumes: [{ name, dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }] });
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.equal(task.stoppedReason, `initialize volume: volume detection failed, volume '${name}' does not exist and autoprovision is set to false`);
  });

  it("volumesFrom mounts another container's volumes, read-only when asked", async () => {
    const task = await runToStopped('volumes-from', [
      box('source', 'echo from-source > /data/f', { essential: false, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }),
      box('user', 'test "$(cat /data/f)" = from-source || exit 8; if echo x > /data/g; then exit 7; fi; exit 0', {
        volumesFrom: [{ sourceContainer: 'source', readOnly: true }], dependsOn: [{ containerName: 'source', condition: 'SUCCESS' }],
      }),
    ], { volumes: [{ name: 'data', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } }] });
    assert.deepEqual(exitCodes(task), { source: 0, user: 0 });
  });

  it("pidMode task: a container sees the other container's processes", async () => {
    const look = 'for i in 1 2 3 4 5 6 7 8 9 10; do ps | grep -q "[s]leep 1001" && exit 0; sleep 1; done; exit 9';
    const task = await runToStopped('pid-task', [
      box('sleeper', 'sleep 1001', { essential: false }),
      box('looker', look, { dependsOn: [{ containerName: 'sleeper', condition: 'START' }] }),
    ], { pidMode: 'task', ipcMode: 'task' });
    assert.equal(exitCodes(task).looker, 0, 'the sleeper is in the looker\'s PID namespace');
    const isolated = await runToStopped('pid-default', [
      box('sleeper', 'sleep 1001', { essential: false }),
      box('looker', look.replace('1 2 3 4 5 6 7 8 9 10', '1 2'), { dependsOn: [{ containerName: 'sleeper', condition: 'START' }] }),
    ]);
    assert.equal(exitCodes(isolated).looker, 9, 'without pidMode task each container has its own');
  });

  it('RegisterTaskDefinition refuses unknown volumes and volumesFrom containers with ClientException', async () => {
    const refused = async (input: Partial<RegisterTaskDefinitionCommandInput>, message: string) => {
      await assert.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: `bad-${run}`, containerDefinitions: [], ...input })),
        (e: Error) => e.name === 'ClientException' && e.message === message);
    };
    await refused({ containerDefinitions: [box('app', 'true', { mountPoints: [{ sourceVolume: 'nope', containerPath: '/x' }] })] }, "Unknown volume 'nope'.");
    await refused({ containerDefinitions: [box('app', 'true', { volumesFrom: [{ sourceContainer: 'db' }] })] }, "Invalid 'volumesFrom' setting. Unknown container: 'db'.");
    await refused({ containerDefinitions: [box('app', 'true')], volumes: [{ name: 'a', host: {} }, { name: 'a' }] },
      "Volume names must be unique within a Task Definition. Duplicate: 'a'.");
  });
});
