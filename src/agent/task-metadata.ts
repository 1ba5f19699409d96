/**
 * Pure: the task metadata endpoint's answers (v3 and v4), in the fields and shapes ECS
 * documents: a container's own metadata, its task's (with every container, and for an awsvpc
 * task the pause container as `CNI_PAUSE`), and with tags for `/taskWithTags`. v4 adds the
 * container ARN, log driver and options, and the network's MAC, subnet and gateway; v3 names the
 * cluster by name where v4 gives its ARN.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { ContainerInfo } from './runtime.ts';
import type { ContainerModel, TaskModel } from './task-lifecycle.ts';
import { PAUSE_CONTAINER_NAME } from './container-config.ts';

/** v3 or v4. */
export type MetadataVersion = 3 | 4;

/** One container as the endpoint describes it: the agent's model and Docker's inspect answer. */
export interface MetadataContainer {
  name: string;
  def: ContainerDefinition;
  model?: ContainerModel;
  info?: ContainerInfo;
  type: 'NORMAL' | 'CNI_PAUSE';
}

/** What the endpoint knows of a task besides its model. */
export interface MetadataContext {
  availabilityZone: string;
  /** The task's and its container instance's tags, for `/taskWithTags` (absent: not asked for, or not available). */
  tags?: { task: Record<string, string>; containerInstance: Record<string, string> };
}

type Json = Record<string, unknown>;

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function clean(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** ECS's status of a container in each Docker state (Docker's word is fresher than the agent's model). */
const DOCKER_STATUS: Partial<Record<string, string>> = { created: 'CREATED', running: 'RUNNING', paused: 'RUNNING', restarting: 'RUNNING', exited: 'STOPPED', dead: 'STOPPED' };

/** ECS's statuses of a container as the agent knows it. */
function containerStatuses(c: MetadataContainer, task: TaskModel): { DesiredStatus: string; KnownStatus: string } {
  const known = c.type === 'CNI_PAUSE'
    ? (task.network?.known === 'READY' ? 'RESOURCES_PROVISIONED' : task.network?.known === 'RELEASED' ? 'STOPPED' : 'PENDING')
    : c.info ? DOCKER_STATUS[c.info.state] ?? 'CREATED' : c.model?.known ?? 'NONE';
  const desired = task.desired.desiredStatus === 'STOPPED' || task.stopping ? 'STOPPED' : c.type === 'CNI_PAUSE' ? 'RESOURCES_PROVISIONED' : 'RUNNING';
  return { DesiredStatus: desired, KnownStatus: known };
}

function networks(task: TaskModel, c: MetadataContainer, version: MetadataVersion): Json[] {
  const mode = task.desired.spec.networkMode;
  const eni = task.desired.networkInterface;
  if (eni) {
    const [, bits] = eni.subnetCidr.split('/');
    return [clean({
      NetworkMode: 'awsvpc',
      IPv4Addresses: [eni.privateIpAddress],
      ...(version === 4 && {
        AttachmentIndex: 0,
        MACAddress: eni.macAddress,
        IPv4SubnetCIDRBlock: eni.subnetCidr,
        PrivateDNSName: `ip-${eni.privateIpAddress.replaceAll('.', '-')}.ec2.internal`,
        SubnetGatewayIpv4Address: `${eni.gateway}/${bits}`,
      }),
    })];
  }
  if (mode === 'host') return [{ NetworkMode: 'host' }];
  if (mode === 'none') return [{ NetworkMode: 'none' }];
  const address = c.info?.ipAddress ?? c.model?.ipAddress;
  return [clean({ NetworkMode: 'bridge', IPv4Addresses: address ? [address] : undefined })];
}

/** One container's metadata (`${ECS_CONTAINER_METADATA_URI_V4}`, and each entry of a task's `Containers`). */
export function containerMetadata(version: MetadataVersion, task: TaskModel, c: MetadataContainer): Json {
  const info = c.info;
  const log = c.def.logConfiguration;
  const ports = (c.model?.networkBindings ?? []).map((b) => clean({ ContainerPort: b.containerPort, Protocol: b.protocol, HostPort: b.hostPort, HostIp: b.bindIP }));
  return clean({
    DockerId: info?.id ?? c.model?.runtimeId,
    Name: c.name,
    DockerName: info?.name ?? c.model?.dockerName,
    Image: c.type === 'CNI_PAUSE' ? info?.image : c.def.image,
    ImageID: info?.imageId,
    Ports: ports.length ? ports : undefined,
    Labels: info?.labels ?? {},
    ...containerStatuses(c, task),
    ExitCode: c.model?.known === 'STOPPED' ? c.model.exitCode : undefined,
    Limits: { CPU: c.def.cpu ?? 0, Memory: c.def.memory ?? 0 },
    CreatedAt: iso(info?.createdAt),
    StartedAt: iso(info?.startedAt),
    FinishedAt: iso(info?.finishedAt),
    Type: c.type,
    Health: c.def.healthCheck?.command?.length && c.model?.health
      ? { status: c.model.health === 'healthy' ? 'HEALTHY' : c.model.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN' }
      : undefined,
    ...(version === 4 && c.type === 'NORMAL' && {
      ContainerARN: task.desired.containerArns[c.name],
      LogDriver: log?.logDriver,
      LogOptions: log?.options,
    }),
    Networks: networks(task, c, version),
  });
}

/** A task's metadata (`/task`, `/taskWithTags`). */
export function taskMetadata(version: MetadataVersion, task: TaskModel, containers: readonly MetadataContainer[], ctx: MetadataContext): Json {
  const { spec, clusterArn } = task.desired;
  const eni = task.desired.networkInterface;
  return clean({
    Cluster: version === 4 ? clusterArn : clusterArn.slice(clusterArn.lastIndexOf('/') + 1),
    TaskARN: task.taskArn,
    Family: spec.family,
    Revision: String(spec.revision),
    DesiredStatus: task.desired.desiredStatus === 'STOPPED' || task.stopping ? 'STOPPED' : 'RUNNING',
    KnownStatus: task.known === 'NONE' ? 'PENDING' : task.known,
    Limits: clean({ CPU: spec.cpu !== undefined ? spec.cpu / 1024 : undefined, Memory: spec.memory }),
    PullStartedAt: iso(task.pullStartedAt),
    PullStoppedAt: iso(task.pullStoppedAt),
    ExecutionStoppedAt: iso(task.executionStoppedAt),
    AvailabilityZone: ctx.availabilityZone,
    LaunchType: task.desired.launchType ?? 'EC2',
    ...(version === 4 && eni && { TaskNetworkConfiguration: { NetworkMode: 'awsvpc' } }),
    ...(ctx.tags && { TaskTags: ctx.tags.task, ContainerInstanceTags: ctx.tags.containerInstance }),
    Containers: containers.map((c) => containerMetadata(version, task, c)),
  });
}

/** The containers the task endpoint lists: the task's own, and an awsvpc task's pause container. */
export function metadataContainers(task: TaskModel, infos: ReadonlyMap<string, ContainerInfo>): MetadataContainer[] {
  const out: MetadataContainer[] = task.containers.map((m) => ({
    name: m.name, def: m.def, model: m, info: m.runtimeId ? infos.get(m.runtimeId) : undefined, type: 'NORMAL' as const,
  }));
  const pauseId = task.network?.pauseId;
  if (pauseId) out.push({ name: PAUSE_CONTAINER_NAME, def: { name: PAUSE_CONTAINER_NAME }, info: infos.get(pauseId), type: 'CNI_PAUSE' });
  return out;
}
