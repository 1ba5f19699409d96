/**
 * DAEMON services through @aws-sdk/client-ecs, on a `wharf server` with one real `wharf agent`
 * (Docker) and simulated agents (src/agent/fleet.testing.ts: real agents on the real link, with an
 * in-memory runtime): exactly one task per eligible ACTIVE instance, following instances as
 * they join, drain and come back, a memberOf constraint over attributes set with PutAttributes,
 * and a new revision rolled out instance by instance (never two live tasks on one instance).
 * The service's desiredCount is the number of eligible instances at every step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, PutAttributesCommand, RegisterTaskDefinitionCommand, UpdateContainerInstancesStateCommand,
  UpdateServiceCommand, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { ec2InstanceId } from '../src/agent/index.ts';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import {
  agentDir, agentIdOf, describeInstances, instanceOfAgent, revisionOf, runningContainers, sleep, startAgentProcess, startServer, summary, uniqueName, until,
  viewService, type ServiceView,
} from './support/crash-services.ts';
import { TEST_IMAGE } from './support/docker.ts';
import { cleanedUpAfter, credentials, ecsClient, tempDir, type WharfProcess } from './support/wharf.ts';

// Registered first, so the simulated agents stop before the server does.
const fleets: Fleet[] = [];
after(async () => {
  for (const f of fleets) await f.stop();
});
const started = cleanedUpAfter();

let ecs: ECSClient;
let cluster: { name: string; arn: string };
let serverUrl: string;
/** The real agent's container instance and agent id; the simulated ones' instances. */
let real: { instance: string; agentId: string; process: WharfProcess; dataDir: string };
let simulated: string[];

before(async () => {
  const dir = tempDir();
  // Instances count as lost 3 s after their agent disconnects (the last test kills the real agent).
  const server = await startServer(dir, ['--instance-lost-after', '3']);
  started.processes.push(server);
  serverUrl = server.url;
  ecs = ecsClient(server.url);
  const { cluster: c } = await ecs.send(new CreateClusterCommand({ clusterName: uniqueName('daemon') }));
  cluster = { name: c!.clusterName!, arn: c!.clusterArn! };
  started.clusterArns.push(cluster.arn);
  const agent = await startAgentProcess(server.url, cluster.name, agentDir(dir, 'real'));
  started.processes.push(agent);
  const agentId = agentIdOf(agent);
  real = { agentId, instance: (await instanceOfAgent(ecs, cluster.name, ec2InstanceId(agentId))).containerInstanceArn!, process: agent, dataDir: agentDir(dir, 'real') };
  const fleet = await startFleet({ serverUrl: server.url, credentials, cluster: cluster.name, count: 3 });
  fleets.push(fleet);
  simulated = fleet.agents.map((a) => a.containerInstanceArn);
  for (const [family, revision] of [['node-daemon', 1], ['node-daemon', 2], ['edge-daemon', 1], ['loss-daemon', 1]] as const) {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{
        name: 'daemon', image: TEST_IMAGE, memory: 16, stopTimeout: 2, command: ['sleep', '3600'],
        environment: [{ name: 'REVISION', value: String(revision) }],
      }],
    }));
  }
});

/** The service's live tasks (wanted or still stopping) per instance. */
function liveByInstance(v: ServiceView): Map<string, Task[]> {
  const out = new Map<string, Task[]>();
  for (const t of [...v.wanted, ...v.stopping]) out.set(t.containerInstanceArn!, [...(out.get(t.containerInstanceArn!) ?? []), t]);
  return out;
}

/**
 * Waits until the daemon runs exactly one RUNNING task of `revision` on each of `instances` and
 * nothing anywhere else (no task wanted or still stopping elsewhere); its desiredCount and
 * deployment agree, and Docker runs the real agent's one container if the real instance is among
 * them (its containers told apart by family: each service here runs a family of its own). `check` runs on every sample on the way.
 */
async function daemonOn(service: string, instances: string[], revision: number, check?: (v: ServiceView) => void): Promise<ServiceView> {
  const describe = async () => summary(await viewService(ecs, cluster.name, service), runningContainers(cluster.arn));
  const done = (v: ServiceView) => {
    const live = liveByInstance(v);
    const d = v.service.deployments ?? [];
    const family = d[0]?.taskDefinition?.slice(d[0].taskDefinition.lastIndexOf('/') + 1, d[0].taskDefinition.lastIndexOf(':'));
    const containers = runningContainers(cluster.arn).filter((c) => c.family === family);
    const realTask = v.wanted.find((t) => t.containerInstanceArn === real.instance);
    return v.wanted.length === instances.length && v.stopping.length === 0 &&
      instances.every((i) => live.get(i)?.length === 1 && live.get(i)![0].lastStatus === 'RUNNING' && revisionOf(live.get(i)![0].taskDefinitionArn) === revision) &&
      v.service.desiredCount === instances.length && v.service.runningCount === instances.length &&
      d.length === 1 && d[0].rolloutState === 'COMPLETED' && d[0].desiredCount === instances.length && revisionOf(d[0].taskDefinition) === revision &&
      (realTask
        ? containers.length === 1 && containers[0].taskArn === realTask.taskArn && containers[0].agentId === real.agentId && containers[0].revision === revision
        : containers.every((c) => !v.wanted.some((t) => t.taskArn === c.taskArn)));
  };
  const v = await until(`${service} on ${instances.length} instance(s), revision ${revision}`, async () => {
    const view = await viewService(ecs, cluster.name, service);
    check?.(view);
    return done(view) && view;
  }, { describe });
  // And it stays so: nothing more is started or stopped a moment later.
  await sleep(1500);
  const again = await viewService(ecs, cluster.name, service);
  assert.ok(done(again), `still so a moment later: ${JSON.stringify(summary(again, runningContainers(cluster.arn)), null, 1)}`);
  assert.deepEqual(again.wanted.map((t) => t.taskArn).sort(), v.wanted.map((t) => t.taskArn).sort(), 'the same tasks');
  return again;
}

/** Never two live tasks of the daemon on one instance (maximumPercent 100). */
const onePerInstance = (v: ServiceView) => {
  for (const [instance, tasks] of liveByInstance(v)) {
    assert.ok(tasks.length <= 1, `at most one live task on ${instance}: ${JSON.stringify(summary(v))}`);
  }
};

describe('DAEMON services', () => {
  it('runs one task per eligible ACTIVE instance as instances join, drain, match a constraint, and on a new revision', async () => {
    const { service } = await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'node-daemon', taskDefinition: 'node-daemon:1', schedulingStrategy: 'DAEMON',
    }));
    assert.equal(service?.schedulingStrategy, 'DAEMON');
    assert.deepEqual(
      { min: service?.deploymentConfiguration?.minimumHealthyPercent, max: service?.deploymentConfiguration?.maximumPercent },
      { min: 0, max: 100 }, 'ECS\'s DAEMON defaults');
    let all = [real.instance, ...simulated];
    await daemonOn('node-daemon', all, 1, onePerInstance);

    // A fifth instance joins: it gets its daemon.
    const late = await startFleet({ serverUrl, credentials, cluster: cluster.name, count: 1 });
    fleets.push(late);
    const joined = late.agents[0].containerInstanceArn;
    all = [...all, joined];
    await daemonOn('node-daemon', all, 1, onePerInstance);

    // One instance drains: its daemon task stops, and no other instance gets a second one.
    const drained = simulated[0];
    const before = await viewService(ecs, cluster.name, 'node-daemon');
    const drainedTask = before.wanted.find((t) => t.containerInstanceArn === drained)!.taskArn!;
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: cluster.name, containerInstances: [drained], status: 'DRAINING' }));
    const afterDrain = await daemonOn('node-daemon', all.filter((i) => i !== drained), 1, onePerInstance);
    assert.ok(!afterDrain.wanted.some((t) => t.taskArn === drainedTask));

    // A memberOf constraint over a custom attribute: only the instances that carry it keep their daemon.
    const members = [real.instance, simulated[1], simulated[2]];
    await ecs.send(new PutAttributesCommand({
      cluster: cluster.name,
      attributes: [...members, drained].map((targetId) => ({ name: 'role', value: 'daemon', targetId })),
    }));
    await ecs.send(new UpdateServiceCommand({
      cluster: cluster.name, service: 'node-daemon',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:role == daemon' }],
    }));
    const constrained = await daemonOn('node-daemon', members, 1, onePerInstance);
    assert.ok(!constrained.wanted.some((t) => t.containerInstanceArn === joined || t.containerInstanceArn === drained));

    // A new revision replaces each eligible instance's task, one live task per instance throughout.
    await ecs.send(new UpdateServiceCommand({ cluster: cluster.name, service: 'node-daemon', taskDefinition: 'node-daemon:2' }));
    const rolled = await daemonOn('node-daemon', members, 2, onePerInstance);
    assert.ok(rolled.wanted.every((t) => !constrained.wanted.some((o) => o.taskArn === t.taskArn)), 'every task was replaced');

    // The drained instance comes back ACTIVE (it carries the attribute): it gets the current revision.
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: cluster.name, containerInstances: [drained], status: 'ACTIVE' }));
    await daemonOn('node-daemon', [...members, drained], 2, onePerInstance);
  });

  it('a DAEMON service created with a memberOf constraint starts only on matching instances, and follows the attribute', async () => {
    const target = simulated[2];
    await ecs.send(new PutAttributesCommand({ cluster: cluster.name, attributes: [{ name: 'tier', value: 'edge', targetId: target }] }));
    await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'edge-daemon', taskDefinition: 'edge-daemon:1', schedulingStrategy: 'DAEMON',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:tier == edge' }],
    }));
    await daemonOn('edge-daemon', [target], 1, onePerInstance);
    // The real instance gains the attribute: it gets the daemon too.
    await ecs.send(new PutAttributesCommand({ cluster: cluster.name, attributes: [{ name: 'tier', value: 'edge', targetId: real.instance }] }));
    await daemonOn('edge-daemon', [target, real.instance], 1, onePerInstance);
  });

  it('the agent of a DAEMON instance dies: its task is stopped there, and restarted it runs exactly one again', async () => {
    const active = (await describeInstances(ecs, cluster.name)).filter((i) => i.status === 'ACTIVE').map((i) => i.containerInstanceArn!);
    assert.ok(active.includes(real.instance) && active.length >= 3);
    await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'loss-daemon', taskDefinition: 'loss-daemon:1', schedulingStrategy: 'DAEMON',
    }));
    const before = await daemonOn('loss-daemon', active, 1, onePerInstance);
    const oldTask = before.wanted.find((t) => t.containerInstanceArn === real.instance)!;
    const [oldContainer] = runningContainers(cluster.arn).filter((c) => c.family === 'loss-daemon');
    assert.equal(oldContainer.taskArn, oldTask.taskArn);

    await real.process.kill9();
    // Lost: the daemon leaves the instance (desiredCount drops), its task asked to stop; the container outlives its agent.
    const others = active.filter((i) => i !== real.instance);
    const lost = await until('the real instance to be lost', async () => {
      const v = await viewService(ecs, cluster.name, 'loss-daemon');
      return v.service.desiredCount === others.length && v.stopping.some((t) => t.taskArn === oldTask.taskArn) && v;
    }, { describe: async () => summary(await viewService(ecs, cluster.name, 'loss-daemon')) });
    const stopping = lost.stopping.find((t) => t.taskArn === oldTask.taskArn)!;
    assert.equal(stopping.desiredStatus, 'STOPPED');
    assert.match(stopping.stoppedReason ?? '', /lost contact with its agent/);
    assert.ok(!lost.wanted.some((t) => t.containerInstanceArn === real.instance), 'nothing is placed on a lost instance');
    assert.deepEqual(runningContainers(cluster.arn).filter((c) => c.family === 'loss-daemon').map((c) => c.id), [oldContainer.id]);

    // Back: the agent stops the old container, and only then the daemon starts a new task there.
    real.process = await startAgentProcess(serverUrl, cluster.name, real.dataDir);
    started.processes.push(real.process);
    const after = await daemonOn('loss-daemon', active, 1, onePerInstance);
    const newTask = after.wanted.find((t) => t.containerInstanceArn === real.instance)!;
    assert.notEqual(newTask.taskArn, oldTask.taskArn);
    const containers = runningContainers(cluster.arn).filter((c) => c.family === 'loss-daemon');
    assert.deepEqual(containers.map((c) => c.taskArn), [newTask.taskArn], 'one container: the new task\'s');
  });
});
