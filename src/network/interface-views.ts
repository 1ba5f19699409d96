/**
 * The network interfaces (a task's ENI) as DescribeNetworkInterfaces lists them: each with the
 * names of its groups, filtered by EC2's interface filters. ECS writes the records; the EC2 API
 * only reads them (and tags them).
 */
import { listDocs, type Store } from '../state/index.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import { keys, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord } from './records.ts';
import { selectByIds } from './select.ts';

/** Who ECS's interfaces are requested by and attached for, as EC2 shows an AWS-managed interface. */
export const AWS_MANAGED_OWNER = 'amazon-aws';

/** An interface with its groups' names. */
export interface InterfaceView {
  networkInterface: NetworkInterfaceRecord;
  groups: { groupId: string; groupName: string }[];
}

/** What DescribeNetworkInterfaces asks for. */
export interface DescribeInterfacesRequest {
  networkInterfaceIds?: string[];
  filters?: Ec2Filter[];
}

/** DescribeNetworkInterfaces: the scope's interfaces, by id, that the request names and its filters pass. */
export async function describeNetworkInterfaces(store: Store, scope: Scope, request: DescribeInterfacesRequest): Promise<InterfaceView[]> {
  const [interfaces, groups] = await Promise.all([
    listDocs<NetworkInterfaceRecord>(store, keys.interfaces(scope)),
    listDocs<SecurityGroupRecord>(store, keys.securityGroups(scope)),
  ]);
  const names = new Map(groups.map(({ value: g }) => [g.groupId, g.groupName]));
  const all = interfaces.map(({ value: n }): InterfaceView => ({
    networkInterface: n, groups: n.groupIds.map((groupId) => ({ groupId, groupName: names.get(groupId) ?? '' })),
  }));
  const named = selectByIds(all, request.networkInterfaceIds, (v) => v.networkInterface.networkInterfaceId, 'eni', Ec2Errors.invalidNetworkInterfaceNotFound);
  const n = (v: InterfaceView) => v.networkInterface;
  return applyFilters(named, request.filters, {
    'network-interface-id': (v) => [n(v).networkInterfaceId],
    'subnet-id': (v) => [n(v).subnetId],
    'vpc-id': (v) => [n(v).vpcId],
    'availability-zone': (v) => [n(v).availabilityZone],
    'group-id': (v) => v.groups.map((g) => g.groupId),
    'group-name': (v) => v.groups.map((g) => g.groupName),
    'private-ip-address': (v) => [n(v).privateIpAddress],
    'addresses.private-ip-address': (v) => [n(v).privateIpAddress],
    'mac-address': (v) => [n(v).macAddress],
    status: (v) => [n(v).status],
    description: (v) => [n(v).description],
    'interface-type': (v) => [n(v).interfaceType],
    'owner-id': (v) => [n(v).ownerId],
    'requester-managed': (v) => [n(v).requesterManaged],
    'requester-id': (v) => [n(v).requesterManaged ? AWS_MANAGED_OWNER : undefined],
    'attachment.status': (v) => [n(v).attachment ? 'attached' : undefined],
    'attachment.attachment-id': (v) => [n(v).attachment?.attachmentId],
    'attachment.instance-owner-id': (v) => [n(v).attachment ? AWS_MANAGED_OWNER : undefined],
    'attachment.device-index': (v) => [n(v).attachment ? 1 : undefined],
  }, (v) => n(v).tags);
}
