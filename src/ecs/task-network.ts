/**
 * An awsvpc task's network at launch: the launch's `networkConfiguration` checked against the
 * task definition's network mode (with ECS's messages) and resolved against the VPCs, and the
 * task's ENI created in the launch's transaction; and its release once the task has stopped.
 */
import type { NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { Ids } from '../common/index.ts';
import {
  AwsvpcProblem, privateDnsName, resolveAwsvpc, stageReleaseInterface, stageTaskInterface, subnetFor, type ResolvedAwsvpc,
} from '../network/index.ts';
import type { Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import type { Scope, TaskDefinitionRecord, TaskEni, TaskRecord } from './records.ts';

const invalid = EcsErrors.invalidParameter;

/**
 * The awsvpc network a launch of `td` uses, or undefined for the other network modes (which
 * take no network configuration). Read through `tx`, so the launch is guarded on it.
 */
export async function resolveTaskNetwork(
  tx: Tx, scope: Scope, td: TaskDefinitionRecord, config: NetworkConfiguration | undefined, now: number,
): Promise<ResolvedAwsvpc | undefined> {
  const awsvpc = config?.awsvpcConfiguration;
  if ((td.networkMode ?? 'bridge') !== 'awsvpc') {
    if (awsvpc) throw invalid('Network Configuration is not valid for the given networkMode of this task definition.');
    return undefined;
  }
  if (!awsvpc?.subnets?.length) throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  try {
    return await resolveAwsvpc(tx, scope, {
      subnets: awsvpc.subnets, securityGroups: awsvpc.securityGroups, assignPublicIp: awsvpc.assignPublicIp,
    }, now);
  } catch (error) {
    if (error instanceof AwsvpcProblem) throw invalid(error.message);
    throw error;
  }
}

/**
 * Creates the ENI of a task being launched (the `n`th of its launch) in a subnet of `network`
 * (one in the task's zone when there is one), staged in `tx` beside the task.
 */
export async function stageTaskEni(tx: Tx, scope: Scope, network: ResolvedAwsvpc, task: TaskRecord, n: number, ids: Ids, now: number): Promise<TaskEni> {
  const subnet = subnetFor(network, task.availabilityZone, n);
  const attachmentId = ids.uuid();
  const eni = await stageTaskInterface(tx, scope, {
    subnet, groupIds: network.groupIds, assignPublicIp: network.assignPublicIp, taskArn: task.arn,
    containerInstanceArn: task.containerInstanceArn, attachmentId, random: ids.hex32(), now,
  });
  if (!eni) throw invalid(`Subnet ${subnet.subnetId} has no free IP addresses left for the task's network interface.`);
  return {
    attachmentId,
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: subnet.subnetId,
    availabilityZone: subnet.availabilityZone,
    vpcId: network.vpc.vpcId,
    subnetCidr: subnet.cidrBlock,
    vpcCidr: network.vpc.cidrBlock,
    privateIPv4Address: eni.privateIpAddress,
    macAddress: eni.macAddress,
    privateDnsName: privateDnsName(scope.region, eni.privateIpAddress),
    securityGroups: network.groupIds,
    assignPublicIp: network.assignPublicIp,
  };
}

/** Deletes a stopped task's ENI and frees its address. */
export function stageReleaseTaskEni(tx: Tx, scope: Scope, task: TaskRecord): Promise<void> {
  return task.eni ? stageReleaseInterface(tx, scope, task.eni.networkInterfaceId) : Promise.resolve();
}
