/**
 * Pure: a stored container instance as ECS shows it — in DescribeContainerInstances, and as the
 * detail of its "ECS Container Instance State Change" events.
 */
import type { ContainerInstance, Resource } from '@aws-sdk/client-ecs';
import type { ContainerInstanceRecord, Resources } from './records.ts';

const integer = (name: string, value: number): Resource => ({ name, type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: value });
const stringSet = (name: string, ports: ReadonlyArray<number | string>): Resource => ({
  name,
  type: 'STRINGSET',
  doubleValue: 0,
  longValue: 0,
  integerValue: 0,
  stringSetValue: [...new Set(ports)].map(String),
});

/**
 * Resources in ECS's wire form: CPU and MEMORY as INTEGER, PORTS and PORTS_UDP as STRINGSET
 * (for remaining resources the ports listed are the ones in use, reserved ones included).
 */
export function resourcesToApi(res: Resources): Resource[] {
  return [
    integer('CPU', res.cpu), integer('MEMORY', res.memory), stringSet('PORTS', res.ports), stringSet('PORTS_UDP', res.portsUdp),
    ...(res.gpus ? [stringSet('GPU', res.gpus)] : []),
  ];
}

/** How many of an instance's tasks are RUNNING, and how many are on their way there. */
export interface InstanceTaskCounts {
  running: number;
  pending: number;
}

/** The API `ContainerInstance` for a stored one (without tags or health: those are asked for). */
export function toApiInstance(record: ContainerInstanceRecord, counts: InstanceTaskCounts): ContainerInstance {
  const out: ContainerInstance = {
    containerInstanceArn: record.arn,
    ec2InstanceId: record.ec2InstanceId,
    version: record.version,
    versionInfo: { ...record.versionInfo },
    remainingResources: resourcesToApi(record.remainingResources),
    registeredResources: resourcesToApi(record.registeredResources),
    status: record.status,
    agentConnected: record.agentConnected,
    runningTasksCount: counts.running,
    pendingTasksCount: counts.pending,
    attributes: record.attributes.map((a) => (a.value === undefined ? { name: a.name } : { name: a.name, value: a.value })),
    registeredAt: new Date(record.registeredAt),
    attachments: [],
  };
  if (record.statusReason) out.statusReason = record.statusReason;
  if (record.capacityProviderName) out.capacityProviderName = record.capacityProviderName;
  return out;
}
