/**
 * What the link tells an agent about an awsvpc task's network: its interface (from the task's
 * ENI) and its firewall (its security groups' rules, with group references resolved to the
 * addresses of the groups' interfaces, from the network informers). Rules and group members
 * change while tasks run, so a change to any security group or interface makes the link
 * re-resolve its awsvpc tasks and send those whose firewall changed.
 */
import type { TaskInterface } from '../common/index.ts';
import { parseArn, type TaskRecord } from '../ecs/index.ts';
import { formatIp, gatewayOf, parseCidr, taskFirewall, type NetworkInformers } from '../network/index.ts';
import type { InformerChange } from '../state/index.ts';

/** `<account>/<region>` of a task, from its ARN: how the network informers file groups and interfaces. */
function scopePathOf(taskArn: string): string {
  const { account, region } = parseArn(taskArn)!;
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

/** `<account>/<region>/<vpcId>` of an awsvpc task's VPC: what a network change is matched against. */
export function taskVpcKey(task: TaskRecord): string | undefined {
  return task.eni && `${scopePathOf(task.arn)}/${task.eni.vpcId}`;
}

/** `<account>/<region>/<vpcId>` of a changed group or interface, from its key (`network/<kind>/<account>/<region>/<id>`). */
function vpcKeyOf(key: string, record: { vpcId: string }): string {
  const [, , account, region] = key.split('/');
  return `${account}/${region}/${record.vpcId}`;
}

/**
 * Calls `refresh` with the VPCs (`<account>/<region>/<vpcId>`) whose security groups or
 * interfaces changed, shortly after they did (changes arriving together make one call).
 * Returns the unsubscribe.
 */
export function onNetworkChange(network: NetworkInformers, refresh: (vpcs: ReadonlySet<string>) => void, delayMs = 50): () => void {
  let timer: NodeJS.Timeout | undefined;
  let vpcs = new Set<string>();
  const schedule = (change: InformerChange<{ vpcId: string }>) => {
    if (change.type !== 'add') vpcs.add(vpcKeyOf(change.key, change.previous));
    if (change.type !== 'delete') vpcs.add(vpcKeyOf(change.key, change.value));
    timer ??= setTimeout(() => {
      timer = undefined;
      const changed = vpcs;
      vpcs = new Set();
      refresh(changed);
    }, delayMs);
  };
  const unsubscribe = [network.securityGroups.subscribe(schedule), network.interfaces.subscribe(schedule)];
  return () => {
    clearTimeout(timer);
    for (const u of unsubscribe) u();
  };
}
