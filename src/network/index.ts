/**
 * The network domain: VPCs, subnets, security groups and the task interfaces (ENIs) in them —
 * their records, the default VPC every account has, and address arithmetic. Shared by the EC2
 * API adapter (`services/ec2`), ECS's awsvpc launches and the agent link (which tells agents
 * their tasks' interfaces and firewall rules). Nothing here reads a request or shapes a response.
 */
export {
  ec2Id, isEc2Id, keys, stableEc2Id,
  type Ec2Tag, type IdPrefix, type InterfaceAttachment, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord,
  type SecurityGroupRuleRecord, type SubnetRecord, type VpcRecord,
} from './records.ts';
export {
  assignable, assignableCount, containsCidr, containsIp, formatCidr, formatIp, gatewayOf, overlaps, parseCidr, parseIp, size, type Cidr,
} from './cidr.ts';
export { DEFAULT_VPC_CIDR, availabilityZones, defaultNetwork, ensureDefaultVpc, stageDefaultVpc, type AvailabilityZone } from './default-vpc.ts';
export { allowAllEgress, defaultSecurityGroup, type IdMaker } from './security-groups.ts';
export { Ec2Errors } from './errors.ts';
