/**
 * Pure: a stored task as ECS shows it — in DescribeTasks, and as the detail of its "ECS Task State
 * Change" events.
 */
import type { Attachment, Task } from '@aws-sdk/client-ecs';
import type { TaskRecord } from './records.ts';

const toDate = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

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
