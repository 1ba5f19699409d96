/**
 * The foundation's main path through @aws-sdk/client-ecs against a real `wharf dev` and real
 * Docker: register → run → RUNNING → HTTP on the mapped port → stop → STOPPED with exit code;
 * essential and non-essential exits; stopTimeout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, waitUntilTasksRunning, waitUntilTasksStopped,
  type ContainerDefinition, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { ecsClient, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, containersOfCluster, docker, httpGet, removeClusterContainers } from './support/docker.ts';

let wharf: WharfProcess;
let ecs: ECSClient;
const clusters: string[] = [];

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
});

after(async () => {
  for (const arn of clusters) removeClusterContainers(arn);
  await wharf?.stop();
});

async function newCluster(name: string): Promise<string> {
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: `${name}-${Date.now()}` }));
  clusters.push(cluster!.clusterArn!);
  return cluster!.clusterName!;
}

async function runOne(cluster: string, family: string, containerDefinitions: ContainerDefinition[]): Promise<Task> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  assert.deepEqual(failures, []);
  assert.equal(tasks?.length, 1);
  return tasks![0];
}

async function describe1(cluster: string, taskArn: string): Promise<Task> {
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return tasks![0];
}

const wait = { client: () => ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 };

describe('tasks on real containers', () => {
  it('runs a web task reachable on its mapped port, then stops it with an exit code', async () => {
    const cluster = await newCluster('web');
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster }));
    assert.equal(containerInstanceArns?.length, 1, 'the dev agent joins every new cluster');

    const task = await runOne(cluster, 'web', [{
      name: 'web', image: TEST_IMAGE, memory: 64, cpu: 128, essential: true, stopTimeout: 2,
      command: ['httpd', '-f', '-p', '80', '-h', '/www'],
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
    }]);
    assert.equal(task.lastStatus, 'PENDING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.match(task.taskArn!, /^arn:aws:ecs:us-east-1:123456789012:task\/web-\d+\/[0-9a-f]{32}$/);

    await waitUntilTasksRunning({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
    const running = await describe1(cluster, task.taskArn!);
    assert.equal(running.lastStatus, 'RUNNING');
    assert.equal(running.availabilityZone, 'us-east-1a', 'from the instance it runs on');
    assert.deepEqual(running.attributes, [{ name: 'ecs.cpu-architecture', value: process.arch === 'arm64' ? 'arm64' : 'x86_64' }]);
    assert.ok(running.startedAt instanceof Date && running.pullStartedAt instanceof Date && running.pullStoppedAt instanceof Date);
    const binding = running.containers![0].networkBindings![0];
    assert.equal(binding.containerPort, 80);
    assert.equal(binding.bindIP, '127.0.0.1');
    assert.ok(binding.hostPort! > 0);
    assert.equal(await httpGet(`http://127.0.0.1:${binding.hostPort}/`), 'hello from wharf\n');
    const runtimeId = running.containers![0].runtimeId!;
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', runtimeId), 'true');

    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns! }));
    const remaining = containerInstances![0].remainingResources!;
    const registered = containerInstances![0].registeredResources!;
    const cpu = (rs: typeof remaining) => rs.find((r) => r.name === 'CPU')!.integerValue!;
    assert.equal(cpu(registered) - cpu(remaining), 128, 'the task holds its cpu on the instance');

    await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn!, reason: 'done testing' }));
    await waitUntilTasksStopped({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
    const stopped = await describe1(cluster, task.taskArn!);
    assert.equal(stopped.lastStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'done testing');
    assert.equal(typeof stopped.containers![0].exitCode, 'number');
    assert.ok(stopped.stoppedAt instanceof Date);
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', runtimeId), 'false');
    const after = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns! }));
    assert.equal(cpu(after.containerInstances![0].remainingResources!), cpu(registered), 'resources are given back');
  });

  it('stops the task when an essential container exits, with its exit code', async () => {
    const cluster = await newCluster('exit');
    const task = await runOne(cluster, 'exits', [
      { name: 'main', image: TEST_IMAGE, memory: 32, essential: true, command: ['sh', '-c', 'sleep 1; exit 3'] },
      { name: 'side', image: TEST_IMAGE, memory: 32, essential: false, command: ['sleep', '1000'], stopTimeout: 2 },
    ]);
    await waitUntilTasksStopped({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
    const stopped = await describe1(cluster, task.taskArn!);
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    assert.equal(stopped.containers!.find((c) => c.name === 'main')!.exitCode, 3);
    assert.equal(stopped.containers!.find((c) => c.name === 'side')!.lastStatus, 'STOPPED');
    assert.equal(containersOfCluster(stopped.clusterArn!, false).length, 0, 'no container of the task is left running');
  });

  it('keeps the task running when a non-essential container exits', async () => {
    const cluster = await newCluster('nonessential');
    const task = await runOne(cluster, 'sidecar-exits', [
      { name: 'main', image: TEST_IMAGE, memory: 32, essential: true, command: ['sleep', '1000'], stopTimeout: 2 },
      { name: 'once', image: TEST_IMAGE, memory: 32, essential: false, command: ['sh', '-c', 'exit 7'] },
    ]);
    await waitUntilTasksRunning({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
    let seen: Task | undefined;
    for (let i = 0; i < 100; i++) {
      seen = await describe1(cluster, task.taskArn!);
      if (seen.containers!.find((c) => c.name === 'once')!.lastStatus === 'STOPPED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const once = seen!.containers!.find((c) => c.name === 'once')!;
    assert.equal(once.lastStatus, 'STOPPED');
    assert.equal(once.exitCode, 7);
    assert.equal(seen!.lastStatus, 'RUNNING');
    assert.equal(seen!.containers!.find((c) => c.name === 'main')!.lastStatus, 'RUNNING');
    await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn! }));
    await waitUntilTasksStopped({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
  });

  it('honours stopTimeout: SIGTERM first, SIGKILL only after the timeout', async () => {
    const cluster = await newCluster('stoptimeout');
    const stubborn = await runOne(cluster, 'ignores-term', [
      { name: 'main', image: TEST_IMAGE, memory: 32, stopTimeout: 3, command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'] },
    ]);
    const polite = await runOne(cluster, 'handles-term', [
      { name: 'main', image: TEST_IMAGE, memory: 32, stopTimeout: 30, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] },
    ]);
    const arns = [stubborn.taskArn!, polite.taskArn!];
    await waitUntilTasksRunning({ ...wait, client: ecs }, { cluster, tasks: arns });
    for (const task of arns) await ecs.send(new StopTaskCommand({ cluster, task }));
    await waitUntilTasksStopped({ ...wait, client: ecs }, { cluster, tasks: arns });
    const [s, p] = await Promise.all(arns.map((a) => describe1(cluster, a)));
    assert.equal(s.containers![0].exitCode, 137, 'killed once the 3 s stopTimeout ran out');
    assert.ok(s.executionStoppedAt!.getTime() - s.stoppingAt!.getTime() >= 2900, 'not killed before its stopTimeout');
    assert.equal(p.containers![0].exitCode, 0, 'a container that handles SIGTERM exits on its own');
  });
  it('applies linuxParameters: a tmpfs mount, a mapped device and swap beside the memory limit', async () => {
    const cluster = await newCluster('linux');
    const task = await runOne(cluster, 'linux-params', [{
      name: 'main', image: TEST_IMAGE, memory: 64, essential: true, stopTimeout: 2, command: ['sleep', '3600'],
      linuxParameters: {
        tmpfs: [{ containerPath: '/scratch', size: 8, mountOptions: ['noexec'] }],
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/quiet', permissions: ['read', 'write'] }],
        maxSwap: 32, swappiness: 0,
      },
    }]);
    await waitUntilTasksRunning({ ...wait, client: ecs }, { cluster, tasks: [task.taskArn!] });
    const id = (await describe1(cluster, task.taskArn!)).containers![0].runtimeId!;
    assert.match(docker('exec', id, 'sh', '-c', 'grep " /scratch " /proc/mounts'), /^tmpfs \/scratch tmpfs rw,.*noexec.*size=8192k/);
    assert.equal(docker('exec', id, 'sh', '-c', 'echo quiet > /dev/quiet && echo written'), 'written');
    assert.equal(docker('inspect', '-f', '{{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}}', id), `${(64 + 32) * 1024 * 1024} 0`);
    await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn! }));
  });
});
