/** Stored task records as the ECS API shows them, and finding a task a request names. */
import type { Attachment, Task } from '@aws-sdk/client-ecs';
import type { Tx } from '../../state/index.ts';
import { EcsErrors, clusterNameOf, keys, parseArn, type Scope, type TaskRecord } from '../../ecs/index.ts';
import { toDate } from './common.ts';

/** The API `Task` for a stored task; tags only when asked for (include TAGS). */
export function toApiTask(t: TaskRecord, withTags = false): Task {
  const fargate = t.launchType === 'FARGATE';
  return {
    taskArn: t.arn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    // A Fargate task's host is the pool's, never shown.
    containerInstanceArn: fargate ? undefined : t.containerInstanceArn,
    ...(fargate && {
      platformVersion: t.platformVersion,
      platformFamily: 'Linux',
      ephemeralStorage: { sizeInGiB: t.ephemeralStorageGiB ?? 20 },
    }),
    ...(t.capacityProviderName && { capacityProviderName: t.capacityProviderName }),
    overrides: {
      containerOverrides: t.overrides.containerOverrides ?? t.containers.map((c) => ({ name: c.name })),
      inferenceAcceleratorOverrides: [],
      ...(t.overrides.cpu ? { cpu: t.overrides.cpu } : {}),
      ...(t.overrides.memory ? { memory: t.overrides.memory } : {}),
      ...(t.overrides.taskRoleArn ? { taskRoleArn: t.overrides.taskRoleArn } : {}),
      ...(t.overrides.executionRoleArn ? { executionRoleArn: t.overrides.executionRoleArn } : {}),
    },
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: t.cpu,
    memory: t.memory,
    containers: t.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      imageDigest: c.imageDigest,
      runtimeId: c.runtimeId,
      lastStatus: c.lastStatus,
      exitCode: c.exitCode,
      reason: c.reason,
      networkBindings: c.networkBindings,
      networkInterfaces: t.eni ? [{ attachmentId: t.eni.attachmentId, privateIpv4Address: t.eni.privateIPv4Address }] : [],
      healthStatus: c.healthStatus ?? 'UNKNOWN',
      cpu: c.cpu,
      memory: c.memory,
      memoryReservation: c.memoryReservation,
    })),
    startedBy: t.startedBy,
    version: t.version,
    stopCode: t.stopCode as Task['stopCode'],
    stoppedReason: t.stoppedReason,
    connectivity: t.connectivityAt === undefined ? undefined : 'CONNECTED',
    connectivityAt: toDate(t.connectivityAt),
    pullStartedAt: toDate(t.pullStartedAt),
    pullStoppedAt: toDate(t.pullStoppedAt),
    executionStoppedAt: toDate(t.executionStoppedAt),
    createdAt: toDate(t.createdAt),
    startedAt: toDate(t.startedAt),
    stoppingAt: toDate(t.stoppingAt),
    stoppedAt: toDate(t.stoppedAt),
    group: t.group,
    launchType: t.launchType,
    attachments: t.eni ? [eniAttachment(t)] : [],
    attributes: t.cpuArchitecture ? [{ name: 'ecs.cpu-architecture', value: t.cpuArchitecture }] : [],
    availabilityZone: t.availabilityZone,
    healthStatus: t.healthStatus ?? 'UNKNOWN',
    enableExecuteCommand: t.enableExecuteCommand,
    tags: withTags ? t.tags : undefined,
  };
}

/** The ENI attachment's status, which follows the task's (ECS: PRECREATED while provisioning, DELETED once stopped). */
function attachmentStatus(t: TaskRecord): string {
  if (t.lastStatus === 'PROVISIONING') return 'PRECREATED';
  if (t.lastStatus === 'STOPPED') return 'DELETED';
  return ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(t.lastStatus) ? 'DETACHING' : 'ATTACHED';
}

/** An awsvpc task's `ElasticNetworkInterface` attachment, with the details ECS lists. */
function eniAttachment(t: TaskRecord): Attachment {
  const eni = t.eni!;
  return {
    id: eni.attachmentId,
    type: 'ElasticNetworkInterface',
    status: attachmentStatus(t),
    details: [
      { name: 'subnetId', value: eni.subnetId },
      { name: 'networkInterfaceId', value: eni.networkInterfaceId },
      { name: 'macAddress', value: eni.macAddress },
      { name: 'privateDnsName', value: eni.privateDnsName },
      { name: 'privateIPv4Address', value: eni.privateIPv4Address },
    ],
  };
}

/** The store key of the task a request names by id or ARN, or undefined when it names one out of the request's scope. */
export function taskKey(scope: Scope, clusterRef: string | undefined, taskRef: string): string | undefined {
  const clusterName = clusterNameOf(clusterRef, scope);
  if (!taskRef.startsWith('arn:')) {
    if (!/^[a-f0-9]{32}$/.test(taskRef)) throw EcsErrors.invalidParameter(`Invalid task id: ${taskRef}.`);
    return keys.task(scope, clusterName, taskRef);
  }
  const arn = parseArn(taskRef);
  if (!arn || arn.resourceType !== 'task' || arn.resource.length !== 2) throw EcsErrors.invalidParameter(`Invalid task ARN: ${taskRef}.`);
  // A task of another account or region is not one this request can see.
  if (arn.account !== scope.account || arn.region !== scope.region) return undefined;
  return keys.task(scope, arn.resource[0], arn.resource[1]);
}

/** Reads a task a request names, or the ECS error for a missing one. */
export async function requireTask(tx: Tx, scope: Scope, clusterRef: string | undefined, taskRef: string): Promise<TaskRecord> {
  const key = taskKey(scope, clusterRef, taskRef);
  const task = key === undefined ? undefined : await tx.get<TaskRecord>(key);
  if (!task || task.clusterName !== clusterNameOf(clusterRef, scope)) throw EcsErrors.invalidParameter('The referenced task was not found.');
  return task;
}
