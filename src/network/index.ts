/**
 * The network domain: VPCs, subnets, security groups and the task interfaces (ENIs) in them —
 * their records, the default VPC every account has, address arithmetic, and what the EC2 API
 * does with them (create, describe with EC2's filters, delete with its dependency checks, rules,
 * tags). Shared by the EC2 API adapter (`services/ec2`), ECS's awsvpc launches and the agent link
 * (which tells agents their tasks' interfaces and firewall rules). Nothing here reads a request or
 * shapes a response.
 */
export {
  ec2Id, isEc2Id, keys, privateDnsName, stableEc2Id,
  type Ec2Tag, type IdPrefix, type InterfaceAttachment, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord,
  type SecurityGroupRuleRecord, type SubnetRecord, type VpcRecord,
} from './records.ts';
export {
  assignable, assignableCount, containsCidr, containsIp, formatCidr, formatIp, gatewayOf, overlaps, parseCidr, parseIp, size, type Cidr,
} from '../common/index.ts';
export { DEFAULT_VPC_CIDR, availabilityZones, defaultNetwork, ensureDefaultVpc, stageDefaultVpc, type AvailabilityZone } from './default-vpc.ts';
export { allowAllEgress, defaultSecurityGroup, type IdMaker } from './security-groups.ts';
export { Ec2Errors, type IdKind } from './errors.ts';
export type { NetworkEnv } from './env.ts';
export { applyFilters, wildcard, type Ec2Filter, type FilterValues } from './filters.ts';
export {
  MAX_TAGS, checkTag, createTags, deleteTags, describeTags, mergeTags, removeTags, resourceTypeOf, tagsFromSpecifications,
  type TagDescription, type TagInput, type TagSpecificationInput, type TaggableType, type TaggedElsewhere,
} from './tags.ts';
export {
  MAX_PREFIX, MIN_PREFIX, cidrAssociationId, createVpc, defaultVpcOf, deleteVpc, describeVpcs, dhcpOptionsId,
  type CreateVpcRequest, type DescribeVpcsRequest,
} from './vpcs.ts';
export {
  createSubnet, deleteSubnet, describeSubnets, subnetArn, zoneFor, type CreateSubnetRequest, type DescribeSubnetsRequest, type SubnetView,
} from './subnets.ts';
export {
  checkDescription, describeRule, expandPermission, findRule, flatPermissions, isIpv6Cidr, normalizeProtocol, portsFor, ruleKey, toPermissions,
  type FlatIngressInput, type GroupPeerInput, type Permission, type PermissionInput, type RuleSpec,
} from './rules.ts';
export {
  createSecurityGroup, deleteSecurityGroup, describeSecurityGroups, securityGroupArn, securityGroupRuleArn,
  type CreateSecurityGroupRequest, type DescribeSecurityGroupsRequest, type GroupTarget,
} from './groups.ts';
export {
  MAX_RULES_PER_DIRECTION, authorize, describeSecurityGroupRules, revoke,
  type AuthorizeRequest, type DescribeRulesRequest, type RevokeRequest, type RevokeResult, type RuleView,
} from './rule-changes.ts';
export { AWS_MANAGED_OWNER, describeNetworkInterfaces, type DescribeInterfacesRequest, type InterfaceView } from './interface-views.ts';
export { describeAvailabilityZones, type DescribeZonesRequest, type ZoneView } from './zones.ts';
export { firewallProtocol, taskFirewall } from './firewall.ts';
export { GROUP_INDEX, NetworkInformers } from './informers.ts';
export {
  AwsvpcProblem, resolveAwsvpc, stageReleaseInterface, stageTaskInterface, subnetFor, type AwsvpcConfiguration, type InterfaceRequest,
  type ResolvedAwsvpc,
} from './task-interfaces.ts';
export { networkResourceInfo, type NetworkResourceInfo } from './resource-info.ts';
export { stageInterfaceGroups, stageServiceInterface, type ServiceInterfaceProblem, type ServiceInterfaceRequest } from './service-interfaces.ts';
