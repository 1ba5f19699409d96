/**
 * What the link tells an agent about an awsvpc task's network: its interface (from the task's
 * ENI) and its firewall (its security groups' rules, with group references resolved to the
 * addresses of the groups' interfaces, from the network informers). Rules and group members
 * change while tasks run, so a change to any security group or interface makes the link
 * re-resolve its awsvpc tasks and send those whose firewall changed.
 */
import type { TaskInterface } from '../common/index.ts';
import type { TaskRecord } from '../ecs/index.ts';
import { formatIp, gatewayOf, parseCidr, taskFirewall, type NetworkInformers } from '../network/index.ts';

/** `<account>/<region>` of a task, from its ARN (`arn:aws:ecs:<region>:<account>:task/…`). */
function scopePathOf(taskArn: string): string {
  const [, , , region, account] = taskArn.split(':');
  return `${account}/${region}`;
}

/** The interface of an awsvpc task, with its current firewall; undefined for the other modes. */
export function taskInterfaceOf(task: TaskRecord, network: NetworkInformers): TaskInterface | undefined {
  const eni = task.eni;
  if (!eni) return undefined;
  const scope = scopePathOf(task.arn);
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    subnetCidr: eni.subnetCidr,
    vpcCidr: eni.vpcCidr,
    privateIpAddress: eni.privateIPv4Address,
    macAddress: eni.macAddress,
    gateway: formatIp(gatewayOf(parseCidr(eni.subnetCidr)!)),
    firewall: taskFirewall(eni.securityGroups, (id) => network.group(scope, id), (id) => network.memberAddresses(scope, id)),
  };
}

/**
 * Calls `refresh` shortly after security groups or interfaces change (changes arriving
 * together make one call). Returns the unsubscribe.
 */
export function onNetworkChange(network: NetworkInformers, refresh: () => void, delayMs = 50): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      refresh();
    }, delayMs);
  };
  const unsubscribe = [network.securityGroups.subscribe(schedule), network.interfaces.subscribe(schedule)];
  return () => {
    clearTimeout(timer);
    for (const u of unsubscribe) u();
  };
}
